import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { WireChunk, WireCompletion, WireGrounding, WireLegoInfo, WireModel } from '../../src/engine/remote/openai-wire';
import type { FinishInfo, GenerateRequest, GroundingEngine, Part, PreparedMedia } from '../../src/engine/types';
import { LegoError } from '../../src/errors';
import { parseChatRequest } from './chat-request';
import type { ChatRequest } from './chat-request';
import { errorResponse, plainError } from './error-response';
import type { HttpError } from './error-response';
import { readJsonBody } from './read-json-body';
import { guardRequest } from './request-guard';
import { prepareRequestAudio, prepareRequestMedia } from './request-media';
import { soundNeedsText, soundQuestionNeeds } from '../../src/bot/sound-question';
import { ServeMetrics } from './serve-metrics';
import { resolveServeOptions } from './serve-options';
import type { OpenAiServerOptions, OpenAiServerOptionsInput } from './serve-options';
import { wireBox, wireSpan } from './wire-grounding';
import { MemoryBudget } from '../../src/media/memory-budget';
import { receiveWithin } from '../../src/receive-within';

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function sendError(response: ServerResponse, error: HttpError): void {
  send(response, error.status, error.body, error.retryAfter === undefined ? {} : { 'retry-after': String(error.retryAfter) });
}

function legoInfo(finish: FinishInfo): WireLegoInfo {
  return {
    ...(finish.tokenIds === undefined ? {} : { token_ids: finish.tokenIds }),
    ...(finish.droppedTurns === undefined ? {} : { dropped_turns: finish.droppedTurns }),
    timings: { ...finish.timings },
  };
}

function usageOf(finish: FinishInfo): WireCompletion['usage'] {
  const { promptTokens, completionTokens } = finish.usage;
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/**
 * `lego serve`: any GroundingEngine behind OpenAI's chat-completions API (see
 * src/engine/remote/openai-wire.ts for the wire format and LEGO's additions).
 *
 *   POST /v1/chat/completions   plain JSON, or SSE with `stream: true` (`data: {chunk}` … `data: [DONE]`)
 *   GET  /v1/models             the model, with the media spec a RemoteEngine prepares media for
 *   GET  /healthz               200 {status: 'ok'} while serving
 *   GET  /metrics               Prometheus text format (see ServeMetrics)
 *
 * Bad requests get 4xx with OpenAI's error object; engine failures 5xx, with `retryable` and a
 * `Retry-After` on 503. A client that disconnects aborts its answer.
 */
export class OpenAiServer {
  readonly options: OpenAiServerOptions;
  readonly metrics: ServeMetrics;
  private readonly server: Server;
  private readonly active = new Set<AbortController>();
  /** the request bodies being received: their bytes in one budget (`maxReceivingBytes`) */
  private readonly receiving: MemoryBudget;
  private readonly model: string;
  private closing = false;

  constructor(
    private readonly engine: GroundingEngine,
    options: OpenAiServerOptionsInput = {},
  ) {
    this.options = resolveServeOptions(options);
    this.metrics = new ServeMetrics(this.options.processMetrics);
    this.receiving = new MemoryBudget(this.options.maxReceivingBytes);
    this.model = this.options.modelName ?? engine.name;
    const timeouts = {
      headersTimeout: Math.min(this.options.headersTimeoutMs, this.options.receiveTimeoutMs),
      requestTimeout: this.options.receiveTimeoutMs,
      // how often Node looks for requests past those limits (its default, 30 s, would add up to 30 s)
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(this.options.headersTimeoutMs / 4))),
    };
    this.server = createServer(timeouts, (request, response) => {
      this.route(request, response).catch((error: unknown) => {
        this.options.logger.error({ err: String(error) }, 'lego serve: unhandled error');
        if (!response.headersSent) sendError(response, errorResponse(LegoError.from(error)));
        else response.end();
      });
    });
    this.server.keepAliveTimeout = 5_000;
  }

  /** Starts listening; resolves with the base URL (`http://host:port`). */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.url;
  }

  get url(): string {
    const address = this.server.address() as AddressInfo | null;
    if (address === null) throw new LegoError('internal', 'lego serve is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** Stops accepting requests, aborts answers in progress and closes every connection. */
  async stop(): Promise<void> {
    this.closing = true;
    for (const controller of this.active) controller.abort();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    setTimeout(() => this.server.closeAllConnections(), 1_000).unref();
    await closed;
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    const method = request.method ?? 'GET';
    const route = path === '/v1/chat/completions' || path === '/healthz' || path === '/metrics' || path === '/v1/models' ? path : 'other';
    response.on('finish', () => this.metrics.requests.inc({ route, status: String(response.statusCode) }));
    const refused = guardRequest(request, { listenHost: this.options.host, allowedHosts: this.options.allowedHosts, allowedOrigins: this.options.allowedOrigins });
    if (refused !== undefined) {
      this.options.logger.warn({ host: request.headers.host, origin: request.headers.origin, contentType: request.headers['content-type'], status: refused.status }, 'lego serve: request refused');
      this.metrics.errors.inc({ code: refused.body.error.code ?? 'forbidden' });
      request.resume();
      sendError(response, refused);
      return;
    }
    const origin = request.headers.origin;
    if (origin !== undefined) {
      // an allowed browser Origin (guardRequest refused the others): let its page read the answer
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('vary', 'Origin');
      if (method === 'OPTIONS') {
        response.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': 'authorization, content-type',
          'access-control-max-age': '600',
        });
        response.end();
        return;
      }
    }
    if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      if (this.closing) sendError(response, plainError(503, 'shutting down', 'engine-unavailable', 'service_unavailable'));
      else send(response, 200, { status: 'ok', model: this.model, in_flight: this.active.size });
      return;
    }
    if (path === '/metrics' && method === 'GET') {
      const text = await this.metrics.registry.metrics();
      response.writeHead(200, { 'content-type': this.metrics.registry.contentType });
      response.end(text);
      return;
    }
    if (path === '/v1/models' && method === 'GET') {
      const model: WireModel = { id: this.model, object: 'model', created: 0, owned_by: 'lego-bot', lego: { media: this.engine.media } };
      send(response, 200, { object: 'list', data: [model] });
      return;
    }
    if (path === '/v1/chat/completions') {
      if (method !== 'POST') {
        sendError(response, plainError(405, 'use POST', 'method-not-allowed'));
        return;
      }
      await this.chat(request, response);
      return;
    }
    sendError(response, plainError(404, `no route ${method} ${path}`, 'not-found'));
  }

  /**
   * A request's JSON body, read once its bytes fit beside the bodies being received
   * (`maxReceivingBytes`: its Content-Length, or maxBodyBytes when it declares none): eight clients
   * posting a photo each at once are not eight bodies, their text and their bytes in one moment. A
   * body over maxBodyBytes is refused at once; a client that goes away while waiting gives its place
   * up (undefined).
   */
  private async receive(request: IncomingMessage): Promise<Awaited<ReturnType<typeof readJsonBody>> | undefined> {
    const limits = { maxBytes: this.options.maxBodyBytes, idleTimeoutMs: this.options.bodyIdleTimeoutMs };
    try {
      return await receiveWithin(this.receiving, request, limits.maxBytes, () => readJsonBody(request, limits));
    } catch (error) {
      if (LegoError.is(error, 'aborted')) return undefined;
      throw error;
    }
  }

  private async chat(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    if (this.closing) {
      sendError(response, plainError(503, 'shutting down', 'engine-unavailable', 'service_unavailable'));
      return;
    }
    const body = await this.receive(request);
    if (body === undefined) return; // the client went away while its body waited for room
    if ('error' in body) {
      this.metrics.errors.inc({ code: body.error.body.error.code ?? 'bad-input' });
      if (body.close === true) response.setHeader('connection', 'close');
      sendError(response, body.error);
      return;
    }
    const controller = new AbortController();
    const onClose = (): void => {
      if (!response.writableFinished) controller.abort();
    };
    response.on('close', onClose);
    this.active.add(controller);
    this.metrics.inFlight.inc();
    let parsed: ChatRequest | undefined;
    try {
      parsed = parseChatRequest(body.value, this.options);
      const media: PreparedMedia | undefined =
        parsed.media === undefined
          ? undefined
          : await prepareRequestMedia(parsed.media, this.engine.media, this.options.media, this.options.fetch, controller.signal);
      if (parsed.audio !== undefined && media === undefined) {
        // a sound alone can be named, not placed on a picture or a timeline it does not have
        const need = soundQuestionNeeds(parsed.turns[parsed.turns.length - 1]!.text);
        if (need !== null) {
          const words = soundNeedsText(need);
          throw new LegoError('bad-input', words, { userMessage: words, details: { param: parsed.audio.param } });
        }
      }
      const audio = parsed.audio === undefined ? undefined : await prepareRequestAudio(parsed.audio, this.engine.media, this.options.media, controller.signal);
      const options = { ...parsed.options };
      if (options.timeoutMs === undefined && this.options.requestTimeoutMs > 0) options.timeoutMs = this.options.requestTimeoutMs;
      const generate: GenerateRequest = { turns: parsed.turns, media, options };
      if (audio !== undefined) generate.audio = audio;
      if (parsed.stream) await this.streamAnswer(generate, parsed, response, controller.signal);
      else await this.plainAnswer(generate, response, controller.signal);
    } catch (error) {
      const e = LegoError.from(error);
      this.metrics.errors.inc({ code: e.code });
      if (e.code !== 'aborted' || !response.destroyed) {
        if (!response.headersSent) sendError(response, errorResponse(e));
        else response.end();
      }
      this.options.logger.warn({ code: e.code, message: e.message }, 'lego serve: request failed');
    } finally {
      this.active.delete(controller);
      this.metrics.inFlight.dec();
      response.off('close', onClose);
      this.metrics.duration.observe({ stream: String(parsed?.stream ?? false) }, (performance.now() - started) / 1000);
    }
  }

  /** Runs the engine; the first part is awaited before anything is sent, so early errors get their status. */
  private async *parts(request: GenerateRequest, signal: AbortSignal): AsyncGenerator<Part> {
    const started = performance.now();
    this.metrics.queueDepth.inc();
    let waiting = true;
    const stopWaiting = (): void => {
      if (!waiting) return;
      waiting = false;
      this.metrics.queueDepth.dec();
    };
    try {
      for await (const part of this.engine.generate(request, { signal })) {
        if (waiting && part.type === 'text-delta') this.metrics.firstToken.observe((performance.now() - started) / 1000);
        stopWaiting();
        if (part.type === 'error') throw part.error;
        if (part.type === 'finish') {
          this.metrics.promptTokens.inc(part.usage.promptTokens);
          this.metrics.completionTokens.inc(part.usage.completionTokens);
        }
        yield part;
      }
    } finally {
      stopWaiting();
    }
  }

  private async plainAnswer(request: GenerateRequest, response: ServerResponse, signal: AbortSignal): Promise<void> {
    const grounding: WireGrounding = { boxes: [], spans: [] };
    let finish: FinishInfo | undefined;
    for await (const part of this.parts(request, signal)) {
      if (part.type === 'box') grounding.boxes.push(wireBox(part));
      else if (part.type === 'span') grounding.spans.push(wireSpan(part));
      else if (part.type === 'finish') finish = part;
    }
    if (finish === undefined) throw new LegoError('engine-failed', 'the engine ended without a finish');
    if (signal.aborted || response.destroyed) return;
    const completion: WireCompletion = {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: this.model,
      choices: [{ index: 0, message: { role: 'assistant', content: finish.text, grounding }, finish_reason: finish.reason }],
      usage: usageOf(finish),
      lego: legoInfo(finish),
    };
    send(response, 200, completion);
  }

  private async streamAnswer(request: GenerateRequest, parsed: ChatRequest, response: ServerResponse, signal: AbortSignal): Promise<void> {
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: WireChunk['choices'][number]['delta'], finish: WireChunk['choices'][number]['finish_reason'] = null): WireChunk => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const write = (value: unknown): void => {
      // the client may have gone: its answer is being aborted, nothing more to send
      if (response.destroyed || response.writableEnded) return;
      response.write(`data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`);
    };
    let opened = false;
    const open = (): void => {
      if (opened) return;
      opened = true;
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      write(chunk({ role: 'assistant', content: '' }));
    };
    try {
      for await (const part of this.parts(request, signal)) {
        open();
        if (part.type === 'text-delta') write(chunk({ content: part.text }));
        else if (part.type === 'box') write(chunk({ grounding: { boxes: [wireBox(part)] } }));
        else if (part.type === 'span') write(chunk({ grounding: { spans: [wireSpan(part)] } }));
        else if (part.type === 'finish') {
          const last: WireChunk = { ...chunk({}, part.reason), lego: legoInfo(part) };
          last.usage = usageOf(part);
          write(last);
          if (parsed.includeUsage) write({ ...chunk({}), choices: [], usage: usageOf(part) });
        }
      }
    } catch (error) {
      if (!opened) throw error;
      const e = LegoError.from(error);
      this.metrics.errors.inc({ code: e.code });
      if (!response.destroyed) write(errorResponse(e).body);
    }
    if (!opened) open();
    if (!response.destroyed) {
      write('[DONE]');
      response.end();
    }
  }
}
