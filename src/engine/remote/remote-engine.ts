import { performance } from 'node:perf_hooks';
import { LegoError } from '../../errors';
import { GroundedParts } from '../grounded-parts';
import { modelBoxToPixels } from '../../grounding/coordinate-frames';
import { parseGrounding } from '../../grounding/parse-grounding';
import { frameBoxToLego } from '../../grounding/syntaxes/syntax-frames';
import type { GroundingSyntaxChoice } from '../../grounding/syntaxes/syntax-registry';
import { SyntaxScanner } from '../../grounding/syntaxes/syntax-scanner';
import type { SyntaxMatch } from '../../grounding/syntaxes/types';
import type { FinishInfo, GenerateCallOptions, GenerateRequest, GroundingEngine, MediaSpec, Part, PreparedMedia } from '../types';
import { EndpointPool } from './endpoint-pool';
import type { EndpointState } from './endpoint-pool';
import type { WireChatRequest, WireChunk, WireCompletion, WireContentPart, WireMessage, WireModel } from './openai-wire';
import { classifyHttpError, readWireError } from './remote-http-error';
import { DEFAULT_REMOTE_ENGINE_OPTIONS, LEGO_7B_MEDIA } from './remote-options';
import type { RemoteEngineOptions, RemoteEngineOptionsInput } from './remote-options';
import { isThinkingModel, profileForModel, REMOTE_PROFILES } from './profile-table';
import type { QuestionKind, RemoteProfile, SentMediaInfo } from './remote-profile';
import { questionKind } from './remote-profile';
import { sseData } from './sse-events';
import { ThinkFilter } from './think-filter';
import { wireMedia } from './wire-media';
import type { WireMedia } from './wire-media';

/**
 * The API root of a base URL: as given when it already ends in a version or an OpenAI-compatibility
 * path (`…/v1`, Gemini's `…/v1beta/openai`), else with `/v1` added (`http://host:port`).
 */
export function apiRoot(base: string): string {
  const b = base.replace(/\/+$/, '');
  return /\/v\d+[a-z0-9]*$|\/openai$/i.test(b) ? b : `${b}/v1`;
}

function chatUrl(base: string): string {
  return `${apiRoot(base)}/chat/completions`;
}

function originOf(base: string): string {
  return base.replace(/\/v1$/, '');
}

/** Sounds go to families that hear as 16-bit PCM WAV at this rate (Whisper-style encoders take 16 kHz). */
const REMOTE_AUDIO_SAMPLE_RATE = 16_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function finishReason(reason: string | null | undefined): FinishInfo['reason'] {
  return reason === 'length' || reason === 'timeout' || reason === 'aborted' ? reason : 'stop';
}

/** Whether an error thrown by fetch is a connection failure (refused, reset, DNS, TLS). */
function isConnectError(error: unknown): boolean {
  return error instanceof TypeError || (error instanceof Error && /ECONN|ENOTFOUND|EAI_AGAIN|socket|UND_ERR/i.test(`${error.message} ${String((error as { cause?: unknown }).cause ?? '')}`));
}

/** What an answer is read against: the profile, what was sent, what the question asked for. */
interface AnswerSetup {
  profile: RemoteProfile;
  syntax: GroundingSyntaxChoice;
  kind: QuestionKind;
  thinking: boolean;
  /** the question was sent with the profile's grounding instruction */
  prompted: boolean;
}

/** One answer in progress: text so far (reasoning removed), grounded parts, what the stream said about its end. */
class RemoteAnswer {
  text = '';
  reason: string | null = null;
  usage: { promptTokens: number; completionTokens: number } | undefined;
  tokenIds: number[] | undefined;
  droppedTurns: number | undefined;
  firstTokenMs: number | undefined;
  private readonly grounded: GroundedParts;
  private readonly scanner: SyntaxScanner;
  private readonly think: ThinkFilter;
  private readonly warnings: string[] = [];
  private found = { boxes: 0, spans: 0 };

  constructor(
    private readonly options: RemoteEngineOptions,
    private readonly media: PreparedMedia | undefined,
    private readonly sent: WireMedia | undefined,
    private readonly started: number,
    private readonly setup: AnswerSetup,
  ) {
    this.grounded = new GroundedParts(media);
    this.think = new ThinkFilter(setup.thinking);
    this.scanner = new SyntaxScanner(setup.syntax, {
      ...(sent === undefined ? {} : { imageSize: sent.sentSize }),
      ...(sent?.sentDurationSec === undefined ? {} : { durationSec: sent.sentDurationSec }),
      qwenResize: options.qwenResize,
      onWarning: (w) => {
        this.warnings.push(w.message);
        options.logger.debug({ raw: w.raw.slice(0, 200), offset: w.offset }, `remote answer: ${w.message}`);
      },
    });
  }

  /** Parts for a piece of the model's content (its reasoning removed first). */
  add(content: string): Part[] {
    return this.show(this.think.push(content));
  }

  private show(delta: string): Part[] {
    if (delta === '') return [];
    this.firstTokenMs ??= performance.now() - this.started;
    this.text += delta;
    const found = this.scanner.push(delta);
    return [{ type: 'text-delta', text: delta, pendingFrom: this.scanner.pendingFrom }, ...found.map((m) => this.toPart(m))];
  }

  /** The answer is over: what was held back, the last matches, and one sentence when a grounding question got none. */
  flush(): Part[] {
    const parts = this.show(this.think.end());
    parts.push(...this.scanner.flush().map((m) => this.toPart(m)));
    if (this.think.dropped > 0) this.options.logger.debug({ chars: this.think.dropped }, 'remote answer: reasoning removed');
    const { kind, profile } = this.setup;
    const missing =
      this.setup.prompted &&
      this.media !== undefined &&
      ((kind === 'where' && this.media.kind === 'image' && this.found.boxes === 0) || (kind === 'when' && this.media.kind === 'video' && this.found.spans === 0));
    if (missing) {
      const what = kind === 'where' ? 'box' : 'time span';
      this.options.logger.warn(
        { profile: profile.name, kind, warnings: this.warnings.slice(0, 5), answerChars: this.text.length },
        `remote answer: no ${what} could be read from the model's answer`,
      );
      const sentence = `(The model gave no ${what} I could read${this.warnings.length > 0 ? ' — its answer was malformed' : ''}, so nothing is marked.)`;
      parts.push(...this.show(`${this.text.trim() === '' ? '' : '\n\n'}${sentence}`));
    }
    return parts;
  }

  /**
   * Matches as parts on the original media: from the padded square LEGO's frame already; from the
   * source image (aspect kept) each syntax's own frame of the displayed image, into LEGO's frame.
   */
  private toPart(match: SyntaxMatch): Part {
    if (match.kind === 'box') this.found.boxes += 1;
    else this.found.spans += 1;
    if (match.kind === 'box' && this.sent?.frame === 'source' && this.media !== undefined) {
      return this.grounded.toPart({ ...match, box: frameBoxToLego(match.box, match.frame, this.media.size) });
    }
    return this.grounded.toPart(match);
  }

  finish(reason: FinishInfo['reason']): FinishInfo {
    return {
      reason,
      text: this.text,
      usage: this.usage ?? { promptTokens: 0, completionTokens: 0 },
      timings: { totalMs: performance.now() - this.started, ...(this.firstTokenMs === undefined ? {} : { firstTokenMs: this.firstTokenMs }) },
      ...(this.droppedTurns === undefined ? {} : { droppedTurns: this.droppedTurns }),
      ...(this.tokenIds === undefined ? {} : { tokenIds: this.tokenIds }),
    };
  }

  /** Reads one chunk (or a whole plain completion); returns its parts. Reasoning fields are never read. */
  read(chunk: Partial<WireChunk> | Partial<WireCompletion>): Part[] {
    if ((chunk as { error?: unknown }).error !== undefined) {
      const wire = readWireError(chunk);
      throw new LegoError(wire.retryable === false ? 'engine-failed' : 'engine-unavailable', `remote stream error: ${wire.message}`, {
        retryable: wire.retryable ?? true,
      });
    }
    type Message = { content?: string | null; reasoning_content?: unknown; reasoning?: unknown };
    const choice = chunk.choices?.[0] as { delta?: Message; message?: Message; finish_reason?: string | null } | undefined;
    const message = choice?.delta ?? choice?.message;
    const parts: Part[] = [];
    if (message !== undefined && (typeof message.reasoning_content === 'string' || typeof message.reasoning === 'string')) {
      parts.push(...this.show(this.think.reasoningApart()));
    }
    parts.push(...this.add(message?.content ?? ''));
    if (choice?.finish_reason) this.reason = choice.finish_reason;
    if (chunk.usage) this.usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
    if (chunk.lego?.token_ids) this.tokenIds = chunk.lego.token_ids;
    if (chunk.lego?.dropped_turns !== undefined) this.droppedTurns = chunk.lego.dropped_turns;
    return parts;
  }
}

/**
 * A GroundingEngine that asks an OpenAI-compatible server (`lego serve`, vLLM, SGLang, Ollama, LMDeploy,
 * TGI) over HTTP with streaming SSE. The conversation's turns go as messages, the media as a data: URL
 * in the first user message (see ./wire-media.ts); the answer streams back as parts, its boxes and spans
 * read in the configured (or detected) grounding syntax and mapped onto the original media.
 *
 * Failures: connection errors, 429 (after its Retry-After) and 502/503/504 are retried with back-off
 * on the next healthy endpoint, only before any text has arrived; an endpoint that fails is marked down
 * and probed (`healthPath`) before it is used again. When no endpoint answers the stream ends with
 * LegoError('engine-unavailable', retryable) — the bot says "try again" and keeps the conversation.
 * Other 4xx keep their meaning (bad-input…), other 5xx are engine-failed; neither is retried.
 */
export class RemoteEngine implements GroundingEngine {
  readonly name: string;
  readonly media: MediaSpec;
  readonly options: RemoteEngineOptions;
  /** the model family this engine talks to (LEGO_REMOTE_PROFILE, else the served model's name) */
  readonly profile: RemoteProfile;
  private readonly pool: EndpointPool;
  private readonly model: string;
  private readonly active = new Set<AbortController>();
  private readonly healthTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(options: RemoteEngineOptionsInput = {}) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as RemoteEngineOptionsInput;
    this.options = { ...DEFAULT_REMOTE_ENGINE_OPTIONS, ...defined };
    this.model = this.options.model ?? 'lego';
    this.name = `remote:${this.model}`;
    this.profile = REMOTE_PROFILES[this.chooseProfile()];
    this.media = this.mediaSpec();
    this.pool = new EndpointPool(this.options.endpoints, {
      strategy: this.options.balance,
      failureThreshold: this.options.failureThreshold,
      downMs: this.options.downMs,
      maxDownMs: this.options.maxDownMs,
      probe: (url) => this.probe(url),
    });
    if (this.options.healthCheckIntervalMs > 0) {
      this.healthTimer = setInterval(() => void this.pool.probeDown(), this.options.healthCheckIntervalMs);
      this.healthTimer.unref();
    }
  }

  /**
   * A RemoteEngine whose unset `model` and `media` are asked from the servers' /v1/models (a `lego serve`
   * tells its media spec there). When no server answers, the defaults are used and the engine still
   * starts (requests fail as engine-unavailable until a server is up).
   */
  static async connect(options: RemoteEngineOptionsInput = {}): Promise<RemoteEngine> {
    if (options.media !== undefined && options.model !== undefined) return new RemoteEngine(options);
    const settled = { ...DEFAULT_REMOTE_ENGINE_OPTIONS, ...options };
    for (const base of settled.endpoints) {
      try {
        const response = await fetch(`${apiRoot(base)}/models`, {
          headers: settled.apiKey === undefined ? {} : { authorization: `Bearer ${settled.apiKey}` },
          signal: AbortSignal.timeout(settled.probeTimeoutMs),
        });
        if (!response.ok) continue;
        const list = (await response.json()) as { data?: WireModel[] };
        const first = list.data?.[0];
        if (first === undefined) continue;
        return new RemoteEngine({
          ...options,
          model: options.model ?? first.id,
          media: options.media ?? (first.lego?.media as MediaSpec | undefined),
        });
      } catch {
        // try the next endpoint
      }
    }
    settled.logger.warn({ endpoints: settled.endpoints.length }, 'remote engine: no server answered /v1/models; using the configured defaults');
    return new RemoteEngine(options);
  }

  /**
   * The profile: set explicitly, else the served model's name decides; a name no profile knows gets
   * `lego` and one log line saying how to choose (a `lego serve`, which announces its media, needs none).
   */
  private chooseProfile(): RemoteProfile['name'] {
    if (this.options.profile !== 'auto') return this.options.profile;
    const byName = profileForModel(this.model);
    if (byName !== undefined) return byName;
    if (this.options.media === undefined) {
      this.options.logger.warn(
        { model: this.model },
        `remote engine: the model name "${this.model}" matches no known family; assuming the "lego" profile (LEGO's padded square and syntax). Set LEGO_REMOTE_PROFILE to one of ${Object.keys(REMOTE_PROFILES).join(', ')} to choose.`,
      );
    }
    return 'lego';
  }

  /** What the media pipeline prepares for this engine: LEGO's tensors, or the source media at the profile's budget. */
  private mediaSpec(): MediaSpec {
    const profile = this.profile;
    if (profile.image === 'padded-square') {
      const served = this.options.media ?? LEGO_7B_MEDIA;
      // a LEGO server with an audio encoder hears the sound itself: it goes as a WAV at the encoder's rate
      if (profile.audio === false || served.audio === null) return served;
      return { ...served, source: { image: null, video: null, audio: { format: 'wav', sampleRate: served.audio.sampleRate } } };
    }
    const video = profile.video === null || profile.video === 'padded-frames' ? null : profile.video;
    return {
      // the tensor specs only say which kinds are read: the remote model gets the source (`source`)
      image: LEGO_7B_MEDIA.image,
      video: video === null ? null : { ...LEGO_7B_MEDIA.video!, frames: 16 },
      audio: null,
      source: {
        image: { ...profile.image, ...this.options.imageBudget },
        video,
        // families that hear take the sound as a 16 kHz WAV (what their own processors resample to)
        audio: profile.audio === true ? { format: 'wav', sampleRate: REMOTE_AUDIO_SAMPLE_RATE } : null,
      },
    };
  }

  /**
   * The request's sound as an `input_audio` part, when this engine hears and the sound came as a WAV. A
   * video's soundtrack is not sent: servers read `input_audio` as a sound of its own, not the clip's.
   */
  private audioPart(request: GenerateRequest): WireContentPart[] {
    const wav = request.audio?.source === 'sound' ? request.audio.wav : undefined;
    if (wav === undefined || this.media.source?.audio === undefined || this.media.source.audio === null) return [];
    return [{ type: 'input_audio', input_audio: { data: wav.toString('base64'), format: 'wav' } }];
  }

  /** The endpoints and their health (for /healthz pages and tests). */
  get endpoints(): readonly Readonly<EndpointState>[] {
    return this.pool.endpoints;
  }

  generate(request: GenerateRequest, options: GenerateCallOptions = {}): AsyncIterable<Part> {
    return this.run(request, options.signal);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.healthTimer !== undefined) clearInterval(this.healthTimer);
    for (const c of this.active) c.abort(new LegoError('engine-unavailable', 'the engine was disposed'));
  }

  private headers(): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(this.options.apiKey === undefined ? {} : { authorization: `Bearer ${this.options.apiKey}` }),
    };
  }

  private async probe(url: string): Promise<boolean> {
    const response = await fetch(`${originOf(url)}${this.options.healthPath}`, { signal: AbortSignal.timeout(this.options.probeTimeoutMs) });
    await response.body?.cancel();
    return response.status < 500;
  }

  /** What the profile's prompt and region writers know of the media sent. */
  private sentInfo(media: PreparedMedia | undefined, sent: WireMedia | undefined): SentMediaInfo | undefined {
    if (media === undefined || sent === undefined) return undefined;
    return { kind: media.kind, ...sent.sentSize, ...(media.kind === 'video' ? { durationSec: media.durationSec } : {}) };
  }

  /**
   * A user turn as this profile reads it: the regions it points at (LEGO boxes and spans of the
   * conversation's model frame) written in the profile's own region syntax, of the image as sent.
   */
  private userText(text: string, media: PreparedMedia | undefined, info: SentMediaInfo | undefined): string {
    if (this.profile.image === 'padded-square' || media === undefined || info === undefined) return text;
    let out = '';
    let at = 0;
    for (const m of parseGrounding(text)) {
      let written: string;
      if (m.kind === 'box') {
        if (media.kind !== 'image') continue;
        const { width, height } = media.size;
        const px = modelBoxToPixels(m.box, media.size);
        written = this.profile.region({ x1: px.x1 / width, y1: px.y1 / height, x2: px.x2 / width, y2: px.y2 / height }, info);
      } else {
        if (media.kind !== 'video') continue;
        written = this.profile.span(m.span, info);
      }
      out += text.slice(at, m.offset) + written;
      at = m.offset + m.raw.length;
    }
    return out + text.slice(at);
  }

  private body(request: GenerateRequest, sent: WireMedia | undefined, kind: QuestionKind): WireChatRequest {
    const messages: WireMessage[] = [];
    // the image (or clip) first, the sound beside it, both in the first user message
    const mediaParts = [...(sent?.parts ?? []), ...this.audioPart(request)];
    let mediaPlaced = mediaParts.length === 0;
    const info = this.sentInfo(request.media, sent);
    const last = request.turns.length - 1;
    for (const [i, turn] of request.turns.entries()) {
      if (turn.role === 'assistant') {
        messages.push({ role: 'assistant', content: turn.text });
        continue;
      }
      const written = this.userText(turn.text, request.media, info);
      const text = i === last ? this.profile.prompt(written, kind, info) : written;
      if (!mediaPlaced) {
        mediaPlaced = true;
        const content: WireContentPart[] = [...mediaParts, { type: 'text', text }];
        messages.push({ role: 'user', content });
      } else {
        messages.push({ role: 'user', content: text });
      }
    }
    const o = request.options ?? {};
    return {
      model: this.model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
      ...(o.maxNewTokens === undefined ? {} : { max_tokens: o.maxNewTokens }),
      ...(o.temperature === undefined ? {} : { temperature: o.temperature }),
      ...(o.topP === undefined ? {} : { top_p: o.topP }),
      ...(o.seed === undefined ? {} : { seed: o.seed }),
      ...(o.stop === undefined || o.stop.length === 0 ? {} : { stop: o.stop }),
    };
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (attempt - 1));
    return base / 2 + Math.random() * (base / 2);
  }

  private async *run(request: GenerateRequest, external: AbortSignal | undefined): AsyncGenerator<Part> {
    const started = performance.now();
    const controller = new AbortController();
    const onExternal = (): void => controller.abort(new LegoError('aborted', 'aborted by the caller'));
    const timeoutMs = request.options?.timeoutMs ?? this.options.timeoutMs;
    const timer = timeoutMs > 0 ? setTimeout(() => controller.abort(new LegoError('engine-timeout', `no answer within ${timeoutMs} ms`)), timeoutMs) : undefined;
    timer?.unref();
    if (external?.aborted) onExternal();
    else external?.addEventListener('abort', onExternal, { once: true });
    this.active.add(controller);
    let answer: RemoteAnswer | undefined;
    try {
      if (this.disposed) throw new LegoError('engine-unavailable', 'the engine was disposed');
      if (request.turns.length === 0 || request.turns[request.turns.length - 1]!.role !== 'user') {
        throw new LegoError('bad-input', 'the last turn must be the user’s');
      }
      const padded = this.profile.image === 'padded-square';
      const frameLabel = this.profile.frameLabel ?? ((t: number): string => `${t.toFixed(1)} s`);
      const sent =
        request.media === undefined ? undefined : await wireMedia(request.media, this.media, this.options.mediaOptions, controller.signal, { padded, frameLabel });
      const question = request.turns[request.turns.length - 1]!.text;
      const kind = questionKind(question, request.media?.kind);
      const setup: AnswerSetup = {
        profile: this.profile,
        syntax: this.options.syntax === 'auto' ? this.profile.syntax : this.options.syntax,
        kind,
        thinking: isThinkingModel(this.model),
        prompted: this.profile.prompt(question, kind, this.sentInfo(request.media, sent)) !== question,
      };
      const body = JSON.stringify(this.body(request, sent, kind));
      answer = new RemoteAnswer(this.options, request.media, sent, started, setup);
      yield* this.attempts(body, answer, controller);
      yield* answer.flush();
      yield { type: 'finish', ...answer.finish(finishReason(answer.reason)) };
    } catch (error) {
      const reason = controller.signal.reason as unknown;
      let e = LegoError.is(reason) && controller.signal.aborted ? reason : LegoError.from(error, 'engine-failed');
      const kind = request.media?.kind;
      const sentSound = this.audioPart(request).length > 0;
      if (sentSound && (e.code === 'bad-input' || e.code === 'unsupported-media') && /audio|sound|input_audio|wav/i.test(e.message)) {
        // the server cannot take the sound (a model that does not hear, a server without audio support)
        this.options.logger.warn({ model: this.model, profile: this.profile.name, message: e.message }, 'remote engine: the server refused the sound');
        e = new LegoError('unsupported-media', e.message, {
          cause: e,
          retryable: false,
          userMessage: `Sorry, the model I use (${this.model}) cannot listen to sounds; ask again without the sound, or ask whoever runs me to pick a model that hears.`,
        });
      } else if (kind !== undefined && e.code === 'bad-input' && /image|video|vision|multi-?modal|modalit|media/i.test(e.message)) {
        // the server cannot take what was sent (a text-only model, a vLLM without video): say so plainly
        this.options.logger.warn({ model: this.model, profile: this.profile.name, message: e.message }, `remote engine: the server refused the ${kind}`);
        e = new LegoError('unsupported-media', e.message, {
          cause: e,
          retryable: false,
          userMessage: `Sorry, the model I use (${this.model}) does not take ${kind}s; ask without one, or ask whoever runs me to pick a model that sees ${kind}s.`,
        });
      }
      if (e.code === 'aborted' || e.code === 'engine-timeout') {
        const partial = answer ?? new RemoteAnswer(this.options, request.media, undefined, started, { profile: this.profile, syntax: 'lego', kind: 'other', thinking: false, prompted: false });
        yield { type: 'finish', ...partial.finish(e.code === 'aborted' ? 'aborted' : 'timeout') };
      } else {
        if (e.code === 'engine-failed' || e.code === 'engine-unavailable') this.options.logger.warn({ code: e.code, message: e.message }, 'remote engine failed');
        yield { type: 'error', error: e };
      }
    } finally {
      clearTimeout(timer);
      external?.removeEventListener('abort', onExternal);
      this.active.delete(controller);
      controller.abort();
    }
  }

  /** Tries endpoints until one streams an answer; retries only retryable failures, only before any text. */
  private async *attempts(body: string, answer: RemoteAnswer, outer: AbortController): AsyncGenerator<Part> {
    let last: LegoError | undefined;
    const tried = new Set<string>();
    let delayMs = 0;
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt += 1) {
      if (attempt > 1) await sleep(delayMs, outer.signal);
      if (outer.signal.aborted) throw outer.signal.reason;
      let endpoint: EndpointState;
      try {
        endpoint = await this.pool.acquire(tried);
      } catch (error) {
        throw last ?? error;
      }
      tried.add(endpoint.url);
      delayMs = this.backoff(attempt);
      const attemptController = new AbortController();
      const onOuter = (): void => attemptController.abort(outer.signal.reason);
      outer.signal.addEventListener('abort', onOuter, { once: true });
      const connectTimer = setTimeout(
        () => attemptController.abort(new LegoError('engine-unavailable', `no response headers within ${this.options.connectTimeoutMs} ms`)),
        this.options.connectTimeoutMs,
      );
      let outcome: 'ok' | 'failure' | 'neutral' = 'failure';
      let streamed = false;
      // false only when the reader stopped reading mid-answer (the generator was closed)
      let settled = false;
      try {
        let response: Response;
        try {
          response = await fetch(chatUrl(endpoint.url), { method: 'POST', headers: this.headers(), body, signal: attemptController.signal });
        } catch (error) {
          if (outer.signal.aborted) throw outer.signal.reason;
          const reason = attemptController.signal.reason as unknown;
          settled = true;
          last = LegoError.is(reason) ? reason : new LegoError('engine-unavailable', `cannot reach ${endpoint.url}: ${isConnectError(error) ? 'connection failed' : String(error)}`, { cause: error });
          continue;
        } finally {
          clearTimeout(connectTimer);
        }
        if (response.status !== 200) {
          const errorBody: unknown = await response.json().catch(() => undefined);
          const http = classifyHttpError(response.status, errorBody, response.headers.get('retry-after'));
          settled = true;
          outcome = http.endpointFailure ? 'failure' : 'neutral';
          if (!http.retry) throw http.error;
          last = http.error;
          if (http.retryAfterMs !== undefined) delayMs = Math.min(this.options.retryMaxMs, http.retryAfterMs);
          continue;
        }
        const type = response.headers.get('content-type') ?? '';
        if (type.includes('application/json')) {
          const completion = (await response.json()) as WireCompletion;
          yield* answer.read(completion);
          outcome = 'ok';
          settled = true;
          return;
        }
        if (response.body === null) throw new LegoError('engine-failed', 'empty response body');
        yield* this.stream(response.body, answer, attemptController, () => {
          streamed = true;
        });
        outcome = 'ok';
        settled = true;
        return;
      } catch (error) {
        settled = true;
        if (outer.signal.aborted) throw outer.signal.reason;
        const e = LegoError.from(error, 'engine-failed');
        // a broken stream after text has arrived cannot be retried transparently
        if (streamed || !e.retryable) {
          if (outcome !== 'neutral' && e.code === 'engine-unavailable') outcome = 'failure';
          else if (!e.retryable) outcome = 'neutral';
          throw e;
        }
        last = e;
      } finally {
        outer.signal.removeEventListener('abort', onOuter);
        // the caller's abort or time-out says nothing about the endpoint's health
        if ((outer.signal.aborted || !settled) && outcome === 'failure') outcome = 'neutral';
        this.pool.release(endpoint, outcome);
        this.options.logger.debug({ endpoint: endpoint.url, attempt, outcome }, 'remote attempt');
      }
    }
    const final = last ?? new LegoError('engine-unavailable', 'no attempt was made');
    throw final.code === 'busy' ? final : new LegoError('engine-unavailable', final.message, { cause: final, retryable: true });
  }

  /** Reads an SSE body into parts; an idle gap over `idleTimeoutMs` or a broken stream is engine-unavailable. */
  private async *stream(body: ReadableStream<Uint8Array>, answer: RemoteAnswer, attempt: AbortController, onText: () => void): AsyncGenerator<Part> {
    let idle: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => attempt.abort(new LegoError('engine-unavailable', `the remote stream was silent for ${this.options.idleTimeoutMs} ms`)), this.options.idleTimeoutMs);
    };
    arm();
    let done = false;
    try {
      for await (const data of sseData(body)) {
        arm();
        if (data === '[DONE]') {
          done = true;
          break;
        }
        let chunk: Partial<WireChunk>;
        try {
          chunk = JSON.parse(data) as Partial<WireChunk>;
        } catch {
          throw new LegoError('engine-failed', 'the remote stream sent invalid JSON', { retryable: false });
        }
        const parts = answer.read(chunk);
        if (parts.length > 0) onText();
        yield* parts;
      }
    } catch (error) {
      const reason = attempt.signal.reason as unknown;
      if (attempt.signal.aborted && LegoError.is(reason)) throw reason;
      if (LegoError.is(error)) throw error;
      throw new LegoError('engine-unavailable', 'the remote stream broke off', { cause: error, retryable: true });
    } finally {
      clearTimeout(idle);
    }
    if (!done && answer.reason === null) throw new LegoError('engine-unavailable', 'the remote stream ended early', { retryable: true });
  }
}
