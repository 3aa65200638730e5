import { performance } from 'node:perf_hooks';
import { LegoError } from '../../errors';
import { AnswerAssembler } from '../answer-assembler';
import { SeededRandom } from '../generation/seeded-random';
import { sampleToken } from '../generation/token-sampler';
import { PartChannel } from '../part-channel';
import { EngineConfigSchema } from '../../config/engine';
import { silentLogger } from '../silent-logger';
import type {
  FinishInfo,
  GenerateCallOptions,
  GenerateRequest,
  GroundingEngine,
  MediaSpec,
  Part,
  PreparedAudio,
  PreparedMedia,
} from '../types';
import type { Logger } from '../../logger-type';
import { WorkQueue } from '../work-queue';
import type { BundleManifest } from './bundle-manifest';
import { loadLegoBundle } from './lego-bundle';
import type { LegoBundle } from './lego-bundle';
import { LegoPrompt } from './lego-prompt';
import type { MediaKind } from './lego-prompt';
import { mediaSpecOf } from './manifest-media-spec';
import { IncrementalDecoder } from './incremental-decoder';
import type { BuiltPrompt } from './lego-prompt';
import type { ExecutionProviderName } from './session-factory';

export interface OnnxLegoEngineOptions {
  /** where the graphs run: 'cpu' (default) or 'cuda'; CUDA that does not load falls back to the CPU with one warning */
  executionProvider?: ExecutionProviderName;
  /** pino-shaped logger; default: silent */
  logger?: Logger;
  /** threads per ONNX operator; 0 = onnxruntime's default (all cores) */
  intraOpNumThreads?: number;
  /**
   * let idle onnxruntime threads spin-wait (default false): a little faster on a dedicated machine,
   * several times slower when other processes want the cores (measured 4× slower decode on 2 busy cores)
   */
  cpuSpinning?: boolean;
  /** run each graph once at load to check the shapes that ORT cannot tell statically (default true) */
  trialRun?: boolean;
  /** requests that may wait behind the running one; more are refused with a 'busy' error part (default: the engine section's) */
  maxQueued?: number;
  /** time-out (ms) for requests that do not set `options.timeoutMs`; 0 = none (default: the engine section's `timeoutMs`) */
  defaultTimeoutMs?: number;
}

/** The engine section's defaults: the one place they are written is the zod schema (src/config/engine.ts). */
const ENGINE_DEFAULTS = EngineConfigSchema.parse({});

export const DEFAULT_ONNX_ENGINE_OPTIONS = {
  executionProvider: ENGINE_DEFAULTS.executionProvider,
  logger: silentLogger,
  intraOpNumThreads: ENGINE_DEFAULTS.threads,
  cpuSpinning: ENGINE_DEFAULTS.cpuSpinning,
  trialRun: true,
  maxQueued: ENGINE_DEFAULTS.maxQueued,
  defaultTimeoutMs: ENGINE_DEFAULTS.timeoutMs,
} as const satisfies Required<OnnxLegoEngineOptions>;

type Settled = Required<OnnxLegoEngineOptions>;

interface Timings {
  started: number;
  encodeMs?: number;
  prefillMs?: number;
  decodeMs?: number;
  firstTokenMs?: number;
}

const YIELD_EVERY_MS = 4;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function finishReasonOf(error: LegoError): FinishInfo['reason'] | undefined {
  if (error.code === 'aborted') return 'aborted';
  if (error.code === 'engine-timeout') return 'timeout';
  return undefined;
}

/**
 * LEGO in process on onnxruntime-node: loads a bundle (docs/bundle-format.md), builds LEGO's prompt,
 * runs the encoders and the decoder with its key/value cache, and streams the answer as typed parts —
 * text as it is generated, each box and span as soon as it is complete, mapped onto the request's media.
 *
 * Sessions are created once at load and reused; requests run one at a time in arrival order (a queue
 * per engine), and the decoder yields to the event loop between tokens.
 */
export class OnnxLegoEngine implements GroundingEngine {
  readonly name: string;
  readonly media: MediaSpec;
  private readonly prompt: LegoPrompt;
  private readonly queue: WorkQueue;
  private readonly active = new Set<AbortController>();
  private readonly running = new Set<Promise<void>>();
  private disposed = false;

  private constructor(
    private readonly bundle: LegoBundle,
    private readonly options: Settled,
  ) {
    const m = bundle.manifest;
    this.name = m.name;
    this.media = mediaSpecOf(m);
    this.prompt = new LegoPrompt(m, bundle.tokenizer);
    this.queue = new WorkQueue(options.maxQueued);
  }

  /**
   * Loads and checks the bundle in `folder`. Throws LegoError('bundle-invalid') naming the file and the
   * mismatch when anything in it is missing or does not match the manifest.
   */
  static async load(folder: string, options: OnnxLegoEngineOptions = {}): Promise<OnnxLegoEngine> {
    const settled: Settled = { ...DEFAULT_ONNX_ENGINE_OPTIONS, ...stripUndefined(options) };
    const started = performance.now();
    const bundle = await loadLegoBundle(folder, {
      executionProvider: settled.executionProvider,
      intraOpNumThreads: settled.intraOpNumThreads > 0 ? settled.intraOpNumThreads : undefined,
      spinning: settled.cpuSpinning,
      trialRun: settled.trialRun,
      logger: settled.logger,
    });
    settled.logger.info(
      { bundle: bundle.manifest.name, folder: bundle.folder, executionProvider: bundle.executionProvider, ms: Math.round(performance.now() - started) },
      'LEGO bundle loaded',
    );
    return new OnnxLegoEngine(bundle, settled);
  }

  /** The bundle's validated manifest. */
  get manifest(): BundleManifest {
    return this.bundle.manifest;
  }

  /**
   * The prompt a request would be given: LEGO's template, its token ids, the fusion query and what was
   * dropped to fit the context. For tests, evaluation and debugging; generate() builds the same.
   */
  preparePrompt(request: GenerateRequest): BuiltPrompt {
    validateRequest(request);
    const wantNew = Math.max(1, Math.floor(request.options?.maxNewTokens ?? this.bundle.manifest.generation.max_new_tokens));
    return this.prompt.build(request.turns, promptKinds(request), wantNew);
  }

  /** The execution provider the sessions run on (after any fallback). */
  get executionProvider(): ExecutionProviderName {
    return this.bundle.executionProvider;
  }

  /**
   * Answers the last user turn. The work starts now (queued behind earlier requests); the returned
   * stream can be read once. It always ends with `finish` (reason stop, length, aborted or timeout) or
   * `error` (bad-input, unsupported-media, context-overflow, busy, engine-failed, engine-unavailable).
   * Breaking out of the stream cancels the work.
   */
  generate(request: GenerateRequest, options: GenerateCallOptions = {}): AsyncIterable<Part> {
    const controller = new AbortController();
    const channel = new PartChannel<Part>(() => controller.abort(new LegoError('aborted', 'the reader stopped reading')));
    const work = this.produce(request, options.signal, controller, channel);
    this.running.add(work);
    // produce() turns every failure into a part; nothing is left to reject here
    work.then(
      () => this.running.delete(work),
      () => this.running.delete(work),
    );
    return channel;
  }

  /** Stops every request (they end with an 'engine-unavailable' error) and frees the sessions. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const gone = new LegoError('engine-unavailable', 'the engine was disposed');
    for (const c of this.active) c.abort(gone);
    this.queue.cancelWaiting(gone);
    await Promise.allSettled([...this.running]);
    await this.bundle.graphs.release();
  }

  private async produce(
    request: GenerateRequest,
    external: AbortSignal | undefined,
    controller: AbortController,
    channel: PartChannel<Part>,
  ): Promise<void> {
    const timings: Timings = { started: performance.now() };
    const onExternal = (): void => controller.abort(new LegoError('aborted', 'aborted by the caller', { cause: external?.reason }));
    const timeoutMs = request.options?.timeoutMs ?? this.options.defaultTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    this.active.add(controller);
    try {
      if (external?.aborted) onExternal();
      else external?.addEventListener('abort', onExternal, { once: true });
      if (timeoutMs > 0) {
        timer = setTimeout(() => controller.abort(new LegoError('engine-timeout', `no answer within ${timeoutMs} ms`)), timeoutMs);
        timer.unref();
      }
      if (this.disposed) throw new LegoError('engine-unavailable', 'the engine was disposed');
      validateRequest(request);
      await this.queue.run(() => this.answer(request, controller.signal, channel, timings), controller.signal);
    } catch (error) {
      const e = LegoError.from(error, 'engine-failed');
      const reason = finishReasonOf(e);
      if (reason !== undefined) {
        channel.push({
          type: 'finish',
          reason,
          text: '',
          usage: { promptTokens: 0, completionTokens: 0 },
          timings: { totalMs: performance.now() - timings.started },
        });
      } else {
        if (e.code === 'engine-failed' || e.code === 'internal') {
          this.options.logger.error({ err: e, cause: String(e.cause ?? '') }, 'LEGO generation failed');
        }
        channel.push({ type: 'error', error: e });
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      external?.removeEventListener('abort', onExternal);
      this.active.delete(controller);
      channel.close();
    }
  }

  /** One request, inside the queue. Ends with a finish part, or throws. */
  private async answer(request: GenerateRequest, signal: AbortSignal, channel: PartChannel<Part>, timings: Timings): Promise<void> {
    const { manifest, tokenizer, graphs } = this.bundle;
    const logger = this.options.logger;
    const opts = request.options ?? {};
    const media = request.media;
    const audio = request.audio;
    const kind = media?.kind;
    if (kind !== undefined && !graphs.hasEncoder(kind)) {
      throw new LegoError('unsupported-media', `the model ${manifest.name} does not read ${kind}s`);
    }
    if (audio !== undefined && !graphs.hasEncoder('audio')) {
      throw new LegoError('unsupported-media', `the model ${manifest.name} has no audio encoder`, {
        userMessage: 'Sorry, this model cannot listen to sounds; please send an image or a video instead.',
      });
    }
    if (media !== undefined) this.checkPixels(media);
    if (audio !== undefined) this.checkAudio(audio, media);

    const wantNew = Math.max(1, Math.floor(opts.maxNewTokens ?? manifest.generation.max_new_tokens));
    const prompt = this.prompt.build(request.turns, promptKinds(request), wantNew);
    if (prompt.droppedTurns > 0 || prompt.truncatedChars > 0) {
      logger.warn(
        { droppedTurns: prompt.droppedTurns, truncatedChars: prompt.truncatedChars, promptTokens: prompt.ids.length, maxPositions: manifest.decoder.max_positions },
        'conversation longer than the context: dropped the oldest turns',
      );
    }
    const maxNew = Math.min(wantNew, prompt.room);
    const throwIfAborted = (): void => {
      if (signal.aborted) throw LegoError.from(signal.reason, 'aborted');
    };

    // encode, embed, splice the media features over the patch tokens
    throwIfAborted();
    let features: Float32Array | undefined;
    let sound: Float32Array | undefined;
    let heard: Float32Array | undefined;
    const t0 = performance.now();
    // the sound first: an image encoder that hears takes its tokens
    if (audio !== undefined) {
      ({ features: sound, heard } = await graphs.encodeAudio(audio.features, audio.clips, prompt.query));
      throwIfAborted();
    }
    if (media !== undefined) {
      features = (await graphs.encode(media.kind, media.pixelValues, prompt.query, heard)).features;
      throwIfAborted();
    }
    if (media !== undefined || audio !== undefined) timings.encodeMs = performance.now() - t0;
    const t = performance.now();
    const embeds = await graphs.embed(prompt.ids);
    if (media !== undefined && features !== undefined) this.splice(embeds, prompt, media.kind, features);
    if (sound !== undefined) this.splice(embeds, prompt, 'audio', sound);
    let step = await graphs.decode(embeds, prompt.ids.length, graphs.emptyCache());
    timings.prefillMs = performance.now() - t;
    const decodeStart = performance.now();

    // decode
    const stopIds = new Set(this.bundle.stopTokenIds);
    const extraStops = opts.stop ?? [];
    for (const s of extraStops) {
      const id = tokenizer.tokenId(s);
      if (id !== undefined && tokenizer.encode(s).length === 1 && tokenizer.specialTokens.includes(s)) stopIds.add(id);
    }
    const assembler = new AnswerAssembler({
      stops: [...manifest.prompt.stop, ...extraStops],
      media,
      onWarning: (w) => logger.warn({ raw: w.raw, offset: w.offset }, `answer has a ${w.message}`),
    });
    const emit = (parts: readonly Part[]): void => {
      for (const p of parts) {
        if (p.type === 'text-delta' && timings.firstTokenMs === undefined) timings.firstTokenMs = performance.now() - timings.started;
        channel.push(p);
      }
    };
    const sampling = {
      temperature: opts.temperature ?? manifest.generation.temperature,
      topP: opts.topP ?? manifest.generation.top_p,
    };
    const random = new SeededRandom(opts.seed ?? Math.floor(Math.random() * 2 ** 32));
    const generated: number[] = [];
    const text = new IncrementalDecoder(tokenizer);
    let decoded = '';
    let lastYield = performance.now();
    let reason: FinishInfo['reason'] = 'length';
    for (;;) {
      const next = sampleToken(step.logits, sampling, random);
      generated.push(next);
      if (stopIds.has(next)) {
        reason = 'stop';
        break;
      }
      decoded = text.push(next);
      const { parts, stopped } = assembler.update(decoded);
      emit(parts);
      if (stopped) {
        reason = 'stop';
        break;
      }
      if (generated.length >= maxNew) {
        reason = 'length';
        break;
      }
      // session.run already defers to the event loop (setImmediate) before each step; this yield only
      // guards a run that would not, so that timers and sockets never wait more than a few ms
      if (performance.now() - lastYield > YIELD_EVERY_MS) await yieldToEventLoop();
      lastYield = performance.now();
      if (signal.aborted) {
        const r = finishReasonOf(LegoError.from(signal.reason, 'aborted'));
        if (r === undefined) throw LegoError.from(signal.reason);
        reason = r;
        break;
      }
      const e = await graphs.embed([next]);
      step = await graphs.decode(e, 1, step.cache);
    }
    emit(assembler.finish(text.finish()));
    timings.decodeMs = performance.now() - decodeStart;

    const finish: FinishInfo = {
      reason,
      text: assembler.text,
      usage: { promptTokens: prompt.ids.length, completionTokens: generated.length },
      timings: {
        totalMs: performance.now() - timings.started,
        ...(timings.encodeMs === undefined ? {} : { encodeMs: timings.encodeMs }),
        prefillMs: timings.prefillMs,
        decodeMs: timings.decodeMs,
        ...(timings.firstTokenMs === undefined ? {} : { firstTokenMs: timings.firstTokenMs }),
      },
      ...(prompt.droppedTurns > 0 ? { droppedTurns: prompt.droppedTurns } : {}),
      tokenIds: generated,
    };
    logger.debug({ reason, usage: finish.usage, timings: finish.timings, droppedTurns: prompt.droppedTurns }, 'LEGO answer finished');
    channel.push({ type: 'finish', ...finish });
  }

  private checkPixels(media: PreparedMedia): void {
    const m = this.bundle.manifest.media;
    const expected =
      media.kind === 'image' ? 3 * m.image!.size * m.image!.size : m.video!.frames * 3 * m.video!.size * m.video!.size;
    const shape = media.kind === 'image' ? `3×${m.image!.size}×${m.image!.size}` : `${m.video!.frames}×3×${m.video!.size}×${m.video!.size}`;
    if (!(media.pixelValues instanceof Float32Array) || media.pixelValues.length !== expected) {
      throw new LegoError('bad-input', `prepared ${media.kind} has ${media.pixelValues?.length ?? 0} values, expected ${shape} = ${expected}`);
    }
    if (!(media.size.width > 0 && media.size.height > 0)) {
      throw new LegoError('bad-input', `prepared ${media.kind} has no size (${media.size.width}×${media.size.height})`);
    }
  }

  /** A sound's features must be the clips the manifest asks for, each [n_mels, frames]. */
  private checkAudio(audio: PreparedAudio, media: PreparedMedia | undefined): void {
    const a = this.bundle.manifest.media.audio!;
    const clips = audio.source === 'soundtrack' ? a.soundtrack_clips : a.clips;
    const per = a.features.n_mels * a.features.frames;
    if (audio.source === 'soundtrack' && media?.kind !== 'video') {
      throw new LegoError('bad-input', 'a soundtrack needs its video in the same request');
    }
    if (audio.clips !== clips || !(audio.features instanceof Float32Array) || audio.features.length !== clips * per) {
      throw new LegoError(
        'bad-input',
        `prepared ${audio.source} has ${audio.clips} clips and ${audio.features?.length ?? 0} values, expected ${clips}×${a.features.n_mels}×${a.features.frames}`,
      );
    }
  }

  /** Replaces the rows of the patch tokens with the encoder's features, in order. */
  private splice(embeds: Float32Array, prompt: BuiltPrompt, kind: MediaKind, features: Float32Array): void {
    const { manifest, tokenizer } = this.bundle;
    const spec = manifest.media[kind]!;
    const hidden = manifest.decoder.hidden_size;
    const patchId = tokenizer.tokenId(spec.patch)!;
    let row = 0;
    prompt.ids.forEach((id, pos) => {
      if (id !== patchId) return;
      if (row < spec.tokens) embeds.set(features.subarray(row * hidden, (row + 1) * hidden), pos * hidden);
      row += 1;
    });
    if (row !== spec.tokens || features.length !== spec.tokens * hidden) {
      throw new LegoError('engine-failed', `the prompt has ${row} ${kind} patch tokens and the encoder gave ${features.length / hidden}, expected ${spec.tokens}`);
    }
  }
}

/** The placeholders of a request, in LEGO's order: the image's or video's, then the sound's. */
function promptKinds(request: GenerateRequest): MediaKind[] {
  const kinds: MediaKind[] = [];
  if (request.media !== undefined) kinds.push(request.media.kind);
  if (request.audio !== undefined) kinds.push('audio');
  return kinds;
}

function validateRequest(request: GenerateRequest): void {
  const turns = request?.turns;
  if (!Array.isArray(turns) || turns.length === 0) throw new LegoError('bad-input', 'the request has no turns');
  for (const t of turns) {
    if ((t?.role !== 'user' && t?.role !== 'assistant') || typeof t.text !== 'string') {
      throw new LegoError('bad-input', 'every turn needs a role (user or assistant) and a text');
    }
  }
  if (turns[turns.length - 1]!.role !== 'user') throw new LegoError('bad-input', 'the last turn must be the user\'s');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
