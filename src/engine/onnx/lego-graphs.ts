import * as ort from 'onnxruntime-node';
import { LegoError } from '../../errors';
import type { BundleManifest } from './bundle-manifest';
import type { CheckedGraph } from './graph-contract';
import type { MediaKind } from './lego-prompt';

/**
 * The decoder's key/value cache after a call: how many positions it holds. Opaque otherwise — the
 * graphs keep it either as the decoder's own `present.*` tensors (any Optimum-style decoder) or, when
 * the decoder also returns `present_step.*` (this call's positions only), in buffers of their own that
 * grow in place, so that the whole cache is never copied out of onnxruntime at a step. A cache is used
 * linearly: decoding from it again after a later step has been taken from it is an error.
 */
export interface KvCache {
  /** positions already in the cache */
  readonly length: number;
}

/** The cache as the decoder's present tensors, fed back as the next past. */
class TensorCache implements KvCache {
  constructor(
    readonly tensors: readonly ort.Tensor[],
    readonly length: number,
  ) {}
}

/** Per-layer key/value buffers [1, heads, capacity, head_dim]; slots at and after `filled` are unused. */
interface SlotStore {
  capacity: number;
  filled: number;
  buffers: Float32Array[];
  /** past tensors over the buffers (fixed dims for a capacity) */
  past: ort.Tensor[];
  /** attention mask of a one-token step: 1 for filled slots and for the new position at `capacity` */
  stepMask: BigInt64Array;
}

/** The cache in buffers of its own; the decoder reads the whole buffer, unused slots masked out. */
class SlotCache implements KvCache {
  constructor(
    readonly store: SlotStore | null,
    readonly length: number,
  ) {}
}

/** Slots a cache grows by: unused slots cost attention work, a growth costs one copy of the cache. */
const SLOT_CHUNK = 64;

export interface EncoderGraph {
  session: ort.InferenceSession;
  checked: CheckedGraph;
}

export interface LegoSessions {
  embedTokens: ort.InferenceSession;
  decoder: { session: ort.InferenceSession; checked: CheckedGraph };
  vision: EncoderGraph | null;
  video: EncoderGraph | null;
  audio: EncoderGraph | null;
}

export interface DecodeResult {
  /** logits of the last position, [vocab] */
  logits: Float32Array;
  cache: KvCache;
}

/** A decoder call's outputs' dimensions, for the loader's trial run. */
export interface DecodeDims {
  logits: readonly number[];
  /** the key/value outputs fetched (present.* or present_step.*) by name */
  kv: ReadonlyArray<{ name: string; dims: readonly number[] }>;
}

function int64(values: readonly number[], dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}

function ones(n: number): ort.Tensor {
  return new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
}

function floatData(t: ort.Tensor | undefined, what: string): Float32Array {
  if (t === undefined || !(t.data instanceof Float32Array)) {
    throw new LegoError('engine-failed', `the graph did not return ${what} as float32`);
  }
  return t.data;
}

/**
 * Typed calls into a bundle's ONNX sessions, batch size 1: token embeddings, the media encoders (with
 * the fusion query when the graph takes one) and one decoder step with the key/value cache. Not safe
 * for concurrent use: the engine queues its work.
 */
export class LegoGraphs {
  /**
   * Rows of the embedding table already computed, by token id (the table is fixed, so a row never
   * changes). Decoding asks for one token at a time; a hit saves a session call per token. Bounded
   * so that a 32k-vocabulary, 4096-wide bundle keeps at most ~64 MB here.
   */
  private readonly rows = new Map<number, Float32Array>();
  private readonly maxRows: number;
  /** the decoder's cache tensors by name, in input order (layer 0 key, layer 0 value, …) */
  private readonly names: { past: readonly string[]; present: readonly string[]; step: readonly string[] };

  constructor(
    private readonly manifest: BundleManifest,
    private readonly sessions: LegoSessions,
    /** the pad token's id (a masked query when the question is empty) */
    private readonly padId: number,
    /** false: keep the cache as present tensors even when the decoder returns present_step.* */
    private readonly ownCacheAllowed = true,
  ) {
    this.maxRows = Math.max(256, Math.floor((64 * 1024 * 1024) / (4 * manifest.decoder.hidden_size)));
    const layers = Array.from({ length: manifest.decoder.num_layers }, (_, i) => i);
    const named = (prefix: string): string[] => layers.flatMap((i) => [`${prefix}.${i}.key`, `${prefix}.${i}.value`]);
    this.names = { past: named('past_key_values'), present: named('present'), step: named('present_step') };
  }

  private encoder(kind: MediaKind): EncoderGraph | null {
    return kind === 'image' ? this.sessions.vision : kind === 'video' ? this.sessions.video : this.sessions.audio;
  }

  /** Whether the encoder of `kind` takes the question (fusion). */
  hasFusion(kind: MediaKind): boolean {
    const g = this.encoder(kind);
    return g !== null && g.checked.optionalInputs.has('query_ids');
  }

  hasEncoder(kind: MediaKind): boolean {
    return this.encoder(kind) !== null;
  }

  /** Whether the decoder returns this call's own keys/values (`present_step.*`): the cache then lives in buffers here. */
  get keepsOwnCache(): boolean {
    return this.ownCacheAllowed && this.sessions.decoder.checked.optionalOutputs.has('present_step.0.key');
  }

  /** The same sessions, with the cache kept as the decoder's present tensors (to compare the two ways). */
  withPresentCache(): LegoGraphs {
    return new LegoGraphs(this.manifest, this.sessions, this.padId, false);
  }

  /** A cache with zero positions (the prefill's past). */
  emptyCache(): KvCache {
    if (this.keepsOwnCache) return new SlotCache(null, 0);
    return new TensorCache(this.emptyPast(), 0);
  }

  private emptyPast(): ort.Tensor[] {
    const d = this.manifest.decoder;
    const tensors: ort.Tensor[] = [];
    for (let i = 0; i < d.num_layers * 2; i += 1) {
      tensors.push(new ort.Tensor('float32', new Float32Array(0), [1, d.num_heads, 0, d.head_dim]));
    }
    return tensors;
  }

  /** inputs_embeds of `ids`: [ids.length × hidden]. */
  async embed(ids: readonly number[]): Promise<Float32Array> {
    const hidden = this.manifest.decoder.hidden_size;
    if (ids.length === 1) {
      const hit = this.rows.get(ids[0]!);
      if (hit !== undefined) return hit.slice();
    }
    const out = await this.sessions.embedTokens.run({ input_ids: int64(ids, [1, ids.length]) });
    const all = floatData(out.inputs_embeds, 'inputs_embeds');
    for (let i = 0; i < ids.length && this.rows.size < this.maxRows; i += 1) {
      if (!this.rows.has(ids[i]!)) this.rows.set(ids[i]!, all.slice(i * hidden, (i + 1) * hidden));
    }
    return all;
  }

  /** Whether the image encoder's fusion hears the turn's sound (its graph takes sound_embeds). */
  get imageHears(): boolean {
    return this.encoder('image')?.checked.optionalInputs.has('sound_embeds') ?? false;
  }

  /**
   * Media features: [tokens × hidden]. `pixels` is [3, S, S] (image) or [F, 3, S, S] (video); `query`
   * is the fusion query (ignored by encoders without one); `sound` the turn's sound tokens
   * ([audio tokens × hidden], from encodeAudio) for an image encoder that hears (others ignore it).
   */
  async encode(
    kind: 'image' | 'video',
    pixels: Float32Array,
    query: readonly number[] | undefined,
    sound?: Float32Array,
  ): Promise<{ features: Float32Array; dims: readonly number[] }> {
    const feeds: Record<string, ort.Tensor> = {};
    if (kind === 'image') {
      const s = this.manifest.media.image!.size;
      feeds.pixel_values = new ort.Tensor('float32', pixels, [1, 3, s, s]);
      if (this.imageHears) {
        const tokens = this.manifest.media.audio!.tokens;
        const hidden = this.manifest.decoder.hidden_size;
        if (sound !== undefined && sound.length !== tokens * hidden) {
          throw new LegoError('engine-failed', `sound tokens of ${sound.length} values, expected ${tokens} × ${hidden}`);
        }
        // no sound: zeros the mask hides
        feeds.sound_embeds = new ort.Tensor('float32', sound ?? new Float32Array(tokens * hidden), [1, tokens, hidden]);
        feeds.sound_mask = int64(new Array<number>(tokens).fill(sound === undefined ? 0 : 1), [1, tokens]);
      }
    } else {
      const v = this.manifest.media.video!;
      feeds.pixel_values_videos = new ort.Tensor('float32', pixels, [1, v.frames, 3, v.size, v.size]);
    }
    return this.runEncoder(kind, feeds, query);
  }

  /**
   * Sound tokens: [tokens × hidden] for the decoder (`features`) and for an image encoder that hears
   * (`heard`: the graph's sound_embeds when it gives them — lego-tiny v2.1, whose decoder tokens have read
   * the question — else the same tokens). `features` is [clips, n_mels, frames] (the media pipeline's
   * log-mel clips: media.audio.clips of a sound or media.audio.soundtrack_clips of a video's soundtrack).
   */
  async encodeAudio(
    features: Float32Array,
    clips: number,
    query: readonly number[] | undefined,
  ): Promise<{ features: Float32Array; heard: Float32Array; dims: readonly number[] }> {
    const f = this.manifest.media.audio?.features;
    if (f === undefined) throw new LegoError('unsupported-media', 'this model has no audio encoder');
    const feeds = { audio_features: new ort.Tensor('float32', features, [1, clips, f.n_mels, f.frames]) };
    const out = await this.runEncoder('audio', feeds, query, ['sound_embeds']);
    return { features: out.features, heard: out.extra.sound_embeds ?? out.features, dims: out.dims };
  }

  private async runEncoder(
    kind: MediaKind,
    feeds: Record<string, ort.Tensor>,
    query: readonly number[] | undefined,
    extraOutputs: readonly string[] = [],
  ): Promise<{ features: Float32Array; dims: readonly number[]; extra: Partial<Record<string, Float32Array>> }> {
    const graph = this.encoder(kind);
    if (graph === null) throw new LegoError('unsupported-media', `this model has no ${kind} encoder`);
    if (graph.checked.optionalInputs.has('query_ids')) {
      // an empty question still needs one key to attend to: a masked pad token
      const ids = query !== undefined && query.length > 0 ? query : [this.padId];
      const mask = query !== undefined && query.length > 0 ? ids.map(() => 1) : [0];
      feeds.query_ids = int64(ids, [1, ids.length]);
      feeds.query_mask = int64(mask, [1, mask.length]);
    }
    const out = await graph.session.run(feeds);
    const name = kind === 'image' ? 'image_features' : kind === 'video' ? 'video_features' : 'audio_embeds';
    const t = out[name];
    const extra: Partial<Record<string, Float32Array>> = {};
    for (const x of extraOutputs) if (graph.checked.optionalOutputs.has(x)) extra[x] = floatData(out[x], x);
    return { features: floatData(t, name), dims: t?.dims ?? [], extra };
  }

  /**
   * One decoder call: `embeds` ([t × hidden]) at positions cache.length … cache.length + t − 1.
   * Returns the logits of the last position and the grown cache.
   */
  async decode(embeds: Float32Array, t: number, cache: KvCache): Promise<DecodeResult & { dims: DecodeDims }> {
    if (cache instanceof SlotCache) return this.decodeSlots(embeds, t, cache);
    if (cache instanceof TensorCache) return this.decodeTensors(embeds, t, cache);
    throw new LegoError('engine-failed', 'a key/value cache that these graphs did not make');
  }

  private baseFeeds(embeds: Float32Array, t: number, past: number): Record<string, ort.Tensor> {
    const d = this.manifest.decoder;
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: new ort.Tensor('float32', embeds, [1, t, d.hidden_size]),
      position_ids: int64(
        Array.from({ length: t }, (_, i) => past + i),
        [1, t],
      ),
    };
    if (this.sessions.decoder.checked.optionalInputs.has('use_cache_branch')) {
      feeds.use_cache_branch = new ort.Tensor('bool', new Uint8Array([past > 0 ? 1 : 0]), [1]);
    }
    return feeds;
  }

  private logitsOf(out: ort.InferenceSession.OnnxValueMapType): { logits: Float32Array; dims: readonly number[] } {
    const t = out.logits;
    const all = floatData(t, 'logits');
    return { logits: all.subarray(all.length - this.manifest.decoder.vocab_size), dims: t?.dims ?? [] };
  }

  private async decodeTensors(embeds: Float32Array, t: number, cache: TensorCache): Promise<DecodeResult & { dims: DecodeDims }> {
    const past = cache.length;
    const feeds = this.baseFeeds(embeds, t, past);
    feeds.attention_mask = ones(past + t);
    this.names.past.forEach((name, i) => (feeds[name] = cache.tensors[i]!));
    const out = await this.sessions.decoder.session.run(feeds);
    const { logits, dims } = this.logitsOf(out);
    const present = this.names.present.map((name) => {
      const p = out[name];
      if (p === undefined) throw new LegoError('engine-failed', `the decoder did not return ${name}`);
      return p;
    });
    const kv = present.map((p, i) => ({ name: this.names.present[i]!, dims: p.dims }));
    return { logits, cache: new TensorCache(present, past + t), dims: { logits: dims, kv } };
  }

  private async decodeSlots(embeds: Float32Array, t: number, cache: SlotCache): Promise<DecodeResult & { dims: DecodeDims }> {
    const d = this.manifest.decoder;
    const past = cache.length;
    const store = cache.store;
    if (store !== null && store.filled !== past) {
      throw new LegoError('engine-failed', `a key/value cache was reused after a later step (${past} of ${store.filled} positions)`);
    }
    const feeds = this.baseFeeds(embeds, t, past);
    if (store === null) {
      feeds.attention_mask = ones(t);
      this.emptyPast().forEach((p, i) => (feeds[this.names.past[i]!] = p));
    } else {
      // the whole buffer is the past; unused slots are masked out, the new positions follow it
      let mask: BigInt64Array;
      if (t === 1) {
        mask = store.stepMask;
      } else {
        mask = new BigInt64Array(store.capacity + t);
        mask.fill(1n, 0, past);
        mask.fill(1n, store.capacity);
      }
      feeds.attention_mask = new ort.Tensor('int64', mask, [1, mask.length]);
      store.past.forEach((p, i) => (feeds[this.names.past[i]!] = p));
    }
    const stepNames = this.names.step;
    const out = await this.sessions.decoder.session.run(feeds, ['logits', ...stepNames]);
    const { logits, dims } = this.logitsOf(out);
    const steps = stepNames.map((name) => {
      const v = out[name];
      const data = floatData(v, name);
      if (data.length !== d.num_heads * t * d.head_dim) {
        throw new LegoError('engine-failed', `the decoder returned ${name} as [${(v?.dims ?? []).join(', ')}], expected [1, ${d.num_heads}, ${t}, ${d.head_dim}]`);
      }
      return { name, data, dims: v!.dims };
    });
    const next = this.grow(store, past + t);
    const { capacity, buffers } = next;
    const hd = d.head_dim;
    steps.forEach((st, i) => {
      const buf = buffers[i]!;
      for (let h = 0; h < d.num_heads; h += 1) {
        buf.set(st.data.subarray(h * t * hd, (h + 1) * t * hd), (h * capacity + past) * hd);
      }
    });
    next.stepMask.fill(1n, past, past + t);
    next.filled = past + t;
    return { logits, cache: new SlotCache(next, past + t), dims: { logits: dims, kv: steps.map((s) => ({ name: s.name, dims: s.dims })) } };
  }

  /** The store with room for `need` positions: the same one, or a bigger copy. */
  private grow(store: SlotStore | null, need: number): SlotStore {
    if (store !== null && store.capacity >= need) return store;
    const d = this.manifest.decoder;
    const capacity = Math.ceil((need + SLOT_CHUNK) / SLOT_CHUNK) * SLOT_CHUNK;
    const hd = d.head_dim;
    const buffers = Array.from({ length: 2 * d.num_layers }, (_, i) => {
      const buf = new Float32Array(d.num_heads * capacity * hd);
      if (store !== null) {
        const old = store.buffers[i]!;
        for (let h = 0; h < d.num_heads; h += 1) {
          buf.set(old.subarray(h * store.capacity * hd, (h * store.capacity + store.filled) * hd), h * capacity * hd);
        }
      }
      return buf;
    });
    const stepMask = new BigInt64Array(capacity + 1);
    if (store !== null) stepMask.fill(1n, 0, store.filled);
    stepMask[capacity] = 1n;
    return {
      capacity,
      filled: store?.filled ?? 0,
      buffers,
      past: buffers.map((b) => new ort.Tensor('float32', b, [1, d.num_heads, capacity, hd])),
      stepMask,
    };
  }

  /** Frees the sessions. */
  async release(): Promise<void> {
    const all = [
      this.sessions.embedTokens,
      this.sessions.decoder.session,
      this.sessions.vision?.session,
      this.sessions.video?.session,
      this.sessions.audio?.session,
    ];
    await Promise.all(all.map((s) => s?.release().catch(() => undefined)));
  }
}
