import * as ort from 'onnxruntime-node';
import { LegoError } from '../../errors';
import type { BundleManifest } from './bundle-manifest';
import type { CheckedGraph } from './graph-contract';
import type { MediaKind } from './lego-prompt';

/** The decoder's key/value cache: past tensors in input order (layer 0 key, layer 0 value, …). */
export interface KvCache {
  readonly tensors: readonly ort.Tensor[];
  /** positions already in the cache */
  readonly length: number;
}

export interface EncoderGraph {
  session: ort.InferenceSession;
  checked: CheckedGraph;
}

export interface LegoSessions {
  embedTokens: ort.InferenceSession;
  decoder: { session: ort.InferenceSession; checked: CheckedGraph };
  vision: EncoderGraph | null;
  video: EncoderGraph | null;
}

export interface DecodeResult {
  /** logits of the last position, [vocab] */
  logits: Float32Array;
  cache: KvCache;
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

  constructor(
    private readonly manifest: BundleManifest,
    private readonly sessions: LegoSessions,
    /** the pad token's id (a masked query when the question is empty) */
    private readonly padId: number,
  ) {
    this.maxRows = Math.max(256, Math.floor((64 * 1024 * 1024) / (4 * manifest.decoder.hidden_size)));
  }

  /** Whether the encoder of `kind` takes the question (fusion). */
  hasFusion(kind: MediaKind): boolean {
    const g = kind === 'image' ? this.sessions.vision : this.sessions.video;
    return g !== null && g.checked.optionalInputs.has('query_ids');
  }

  hasEncoder(kind: MediaKind): boolean {
    return (kind === 'image' ? this.sessions.vision : this.sessions.video) !== null;
  }

  /** A cache with zero positions (the prefill's past). */
  emptyCache(): KvCache {
    const d = this.manifest.decoder;
    const tensors: ort.Tensor[] = [];
    for (let i = 0; i < d.num_layers * 2; i += 1) {
      tensors.push(new ort.Tensor('float32', new Float32Array(0), [1, d.num_heads, 0, d.head_dim]));
    }
    return { tensors, length: 0 };
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

  /**
   * Media features: [tokens × hidden]. `pixels` is [3, S, S] (image) or [F, 3, S, S] (video); `query`
   * is the fusion query (ignored by encoders without one).
   */
  async encode(kind: MediaKind, pixels: Float32Array, query: readonly number[] | undefined): Promise<{ features: Float32Array; dims: readonly number[] }> {
    const graph = kind === 'image' ? this.sessions.vision : this.sessions.video;
    if (graph === null) throw new LegoError('unsupported-media', `this model has no ${kind} encoder`);
    const feeds: Record<string, ort.Tensor> = {};
    if (kind === 'image') {
      const s = this.manifest.media.image!.size;
      feeds.pixel_values = new ort.Tensor('float32', pixels, [1, 3, s, s]);
    } else {
      const v = this.manifest.media.video!;
      feeds.pixel_values_videos = new ort.Tensor('float32', pixels, [1, v.frames, 3, v.size, v.size]);
    }
    if (graph.checked.optionalInputs.has('query_ids')) {
      // an empty question still needs one key to attend to: a masked pad token
      const ids = query !== undefined && query.length > 0 ? query : [this.padId];
      const mask = query !== undefined && query.length > 0 ? ids.map(() => 1) : [0];
      feeds.query_ids = int64(ids, [1, ids.length]);
      feeds.query_mask = int64(mask, [1, mask.length]);
    }
    const out = await graph.session.run(feeds);
    const name = kind === 'image' ? 'image_features' : 'video_features';
    const t = out[name];
    return { features: floatData(t, name), dims: t?.dims ?? [] };
  }

  /**
   * One decoder call: `embeds` ([t × hidden]) at positions cache.length … cache.length + t − 1.
   * Returns the logits of the last position and the grown cache.
   */
  async decode(embeds: Float32Array, t: number, cache: KvCache): Promise<DecodeResult & { logitsDims: readonly number[] }> {
    const d = this.manifest.decoder;
    const past = cache.length;
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: new ort.Tensor('float32', embeds, [1, t, d.hidden_size]),
      attention_mask: ones(past + t),
      position_ids: int64(
        Array.from({ length: t }, (_, i) => past + i),
        [1, t],
      ),
    };
    for (let i = 0; i < d.num_layers; i += 1) {
      feeds[`past_key_values.${i}.key`] = cache.tensors[2 * i]!;
      feeds[`past_key_values.${i}.value`] = cache.tensors[2 * i + 1]!;
    }
    if (this.sessions.decoder.checked.optionalInputs.has('use_cache_branch')) {
      feeds.use_cache_branch = new ort.Tensor('bool', new Uint8Array([past > 0 ? 1 : 0]), [1]);
    }
    const out = await this.sessions.decoder.session.run(feeds);
    const logitsTensor = out.logits;
    const all = floatData(logitsTensor, 'logits');
    const vocab = d.vocab_size;
    const present: ort.Tensor[] = [];
    for (let i = 0; i < d.num_layers; i += 1) {
      for (const kind of ['key', 'value']) {
        const p = out[`present.${i}.${kind}`];
        if (p === undefined) throw new LegoError('engine-failed', `the decoder did not return present.${i}.${kind}`);
        present.push(p);
      }
    }
    return { logits: all.subarray(all.length - vocab), logitsDims: logitsTensor?.dims ?? [], cache: { tensors: present, length: past + t } };
  }

  /** Frees the sessions. */
  async release(): Promise<void> {
    const all = [this.sessions.embedTokens, this.sessions.decoder.session, this.sessions.vision?.session, this.sessions.video?.session];
    await Promise.all(all.map((s) => s?.release().catch(() => undefined)));
  }
}
