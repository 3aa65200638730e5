/**
 * FakeEngine: a scripted GroundingEngine for tests of everything above the engine (bot pipeline,
 * conversation, adapters, renderers). No model, no ONNX: you say what it answers, and it streams that
 * answer the way OnnxLegoEngine does — `text-delta` pieces, a `box`/`span` part right after the piece
 * that closes it (through the same AnswerAssembler, so pixels, seconds, labels and numbering are real),
 * then `finish` — and it honours AbortSignal and `options.timeoutMs`.
 *
 *   const engine = new FakeEngine({ replies: ['The red star is at [0.100, 0.200, 0.300, 0.400].'] });
 *   const answer = await collectAnswer(engine.generate({ turns: [{ role: 'user', text: 'Where?' }], media }));
 *   answer.boxes[0].pixels  // mapped onto media.size
 *   engine.calls[0].request // what the caller sent
 *
 * Replies are used in order, one per generate(); when they run out, `fallback` answers (by default
 * "I am a fake engine."). A reply is a string, an object with more control, or a function of the
 * request (sync or async, so a test can hold an answer back until it is ready).
 */
import { performance } from 'node:perf_hooks';
import { LegoError } from '../../src/errors';
import { AnswerAssembler } from '../../src/engine/answer-assembler';
import type { FinishInfo, GenerateCallOptions, GenerateRequest, GroundingEngine, MediaSpec, Part } from '../../src/engine/types';
import { CLIP_MEAN, CLIP_STD } from '../../src/engine/remote/remote-options';

export interface FakeReplyScript {
  /** the answer, in the model's frame (boxes as fractions of the padded square), e.g. "It is at [0.1, 0.2, 0.3, 0.4]." */
  text?: string;
  /** how the answer ends when it is not cut short (default 'stop') */
  reason?: 'stop' | 'length';
  /** end with this error part instead of a finish, after `errorAfterChars` characters of text (default 0) */
  error?: LegoError;
  errorAfterChars?: number;
  /** characters per text-delta (default: the engine's `chunkSize`) */
  chunkSize?: number;
  /** milliseconds to wait before each text-delta (default: the engine's `delayMs`) */
  delayMs?: number;
  /** turns dropped for the context, reported in finish.droppedTurns */
  droppedTurns?: number;
}

export type FakeReply = string | FakeReplyScript | ((request: GenerateRequest) => FakeReplyScript | string | Promise<FakeReplyScript | string>);

export interface FakeEngineOptions {
  /** default 'fake-lego' */
  name?: string;
  /** the media spec it asks for (default: lego-tiny's: 96 px images, 16 frames of 48 px) */
  media?: MediaSpec;
  /** answers, one per generate() call, in order */
  replies?: FakeReply[];
  /** the answer once `replies` are used up */
  fallback?: FakeReply;
  /** characters per text-delta (default 4) */
  chunkSize?: number;
  /** milliseconds before each text-delta (default 0: no timer, but still asynchronous) */
  delayMs?: number;
}

export interface FakeEngineCall {
  request: GenerateRequest;
  signal: AbortSignal | undefined;
}

/** lego-tiny's media spec, the FakeEngine's default. */
export const FAKE_MEDIA_SPEC: MediaSpec = {
  image: { size: 96, padRgb: [122, 116, 104], mean: CLIP_MEAN, std: CLIP_STD },
  video: { size: 48, padRgb: [122, 116, 104], mean: CLIP_MEAN, std: CLIP_STD, frames: 16 },
  audio: null,
};

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0) {
      setImmediate(resolve);
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class FakeEngine implements GroundingEngine {
  readonly name: string;
  readonly media: MediaSpec;
  /** every generate() call, in order */
  readonly calls: FakeEngineCall[] = [];
  private readonly replies: FakeReply[];
  private readonly fallback: FakeReply;
  private readonly chunkSize: number;
  private readonly delayMs: number;
  private isDisposed = false;

  constructor(options: FakeEngineOptions = {}) {
    this.name = options.name ?? 'fake-lego';
    this.media = options.media ?? FAKE_MEDIA_SPEC;
    this.replies = [...(options.replies ?? [])];
    this.fallback = options.fallback ?? 'I am a fake engine.';
    this.chunkSize = Math.max(1, options.chunkSize ?? 4);
    this.delayMs = options.delayMs ?? 0;
  }

  /** Adds answers for the next calls. */
  enqueue(...replies: FakeReply[]): void {
    this.replies.push(...replies);
  }

  /** Whether dispose() was called. */
  get disposed(): boolean {
    return this.isDisposed;
  }

  generate(request: GenerateRequest, options: GenerateCallOptions = {}): AsyncIterable<Part> {
    this.calls.push({ request, signal: options.signal });
    const reply = this.replies.length > 0 ? this.replies.shift()! : this.fallback;
    return this.stream(request, reply, options.signal);
  }

  async dispose(): Promise<void> {
    this.isDisposed = true;
  }

  private async *stream(request: GenerateRequest, reply: FakeReply, signal: AbortSignal | undefined): AsyncGenerator<Part> {
    const started = performance.now();
    if (this.isDisposed) {
      yield { type: 'error', error: new LegoError('engine-unavailable', 'the fake engine was disposed') };
      return;
    }
    const resolved = typeof reply === 'function' ? await reply(request) : reply;
    const script: FakeReplyScript = typeof resolved === 'string' ? { text: resolved } : resolved;
    const text = script.text ?? '';
    const chunk = Math.max(1, script.chunkSize ?? this.chunkSize);
    const delay = script.delayMs ?? this.delayMs;
    const timeoutMs = request.options?.timeoutMs ?? 0;
    const limit = script.error === undefined ? text.length : Math.min(text.length, script.errorAfterChars ?? 0);
    const assembler = new AnswerAssembler({ stops: request.options?.stop ?? [], media: request.media });
    const promptTokens = request.turns.reduce((n, t) => n + Math.ceil(t.text.length / 4), 0);
    let completionTokens = 0;
    let decoded = '';
    let firstTokenMs: number | undefined;
    let reason: FinishInfo['reason'] = script.reason ?? 'stop';
    const maxChars = request.options?.maxNewTokens === undefined ? Number.POSITIVE_INFINITY : request.options.maxNewTokens * chunk;
    for (let at = 0; at < limit; at += chunk) {
      await sleep(delay, signal);
      if (signal?.aborted) {
        reason = 'aborted';
        break;
      }
      if (timeoutMs > 0 && performance.now() - started > timeoutMs) {
        reason = 'timeout';
        break;
      }
      if (at >= maxChars) {
        reason = 'length';
        break;
      }
      completionTokens += 1;
      decoded = text.slice(0, Math.min(limit, at + chunk));
      const { parts, stopped } = assembler.update(decoded);
      for (const p of parts) {
        if (firstTokenMs === undefined) firstTokenMs = performance.now() - started;
        yield p;
      }
      if (stopped) {
        reason = 'stop';
        break;
      }
    }
    if (script.error !== undefined && reason !== 'aborted' && reason !== 'timeout') {
      yield { type: 'error', error: script.error };
      return;
    }
    for (const p of assembler.finish(decoded)) yield p;
    const totalMs = performance.now() - started;
    yield {
      type: 'finish',
      reason,
      text: assembler.text,
      usage: { promptTokens, completionTokens },
      timings: { totalMs, ...(firstTokenMs === undefined ? {} : { firstTokenMs }) },
      ...(script.droppedTurns === undefined ? {} : { droppedTurns: script.droppedTurns }),
    };
  }
}
