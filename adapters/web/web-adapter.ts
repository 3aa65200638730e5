import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage as HttpRequest, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ReplySurface } from '../../src/bot/reply-surface';
import type { MetricsSource } from '../../src/bot/bot-metrics';
import type { BlobStore } from '../../src/conversation/blob-store';
import { TurnRunner } from '../../src/bot/turn-runner';
import type { Adapter, BotHandler, IncomingAttachment, IncomingMessage, Reply, ReplyFile } from '../../src/bot/types';
import { drawnRegionFromJson, withDrawnRegion } from '../../src/conversation/drawn-region';
import { heldOnce } from '../../src/conversation/content-hash';
import { silentLogger } from '../../src/engine';
import type { Logger } from '../../src/logger-type';
import { LegoError } from '../../src/errors';
import { healthHttpStatus } from '../../src/health';
import type { HealthReport } from '../../src/health';
import { httpStatusOf } from './http-status';
import { BoundedLru } from '../../src/bounded-lru';
import { MemoryBudget } from '../../src/media/memory-budget';
import { receiveWithin } from '../../src/receive-within';
import { formatBytes, readBody } from './read-body';
import { SseStream } from './sse-stream';
import { findSamplesDir, loadStaticFiles } from './static-files';
import type { StaticFile } from './static-files';
import { resolveWebAdapterOptions } from './web-options';
import type { WebAdapterOptions, WebAdapterOptionsInput } from './web-options';
import { toWebReply } from './web-reply';
import type { WebReply } from './web-reply';

export interface WebAdapterDeps {
  bot: BotHandler;
  logger?: Logger;
  /** Prometheus metrics served at GET /metrics (the bot's per-user limit figures…) */
  metrics?: MetricsSource;
  /**
   * The conversation store's blob store: uploads and reply files are kept there (bytes by content hash, a
   * small record naming them) so that any instance on the same store serves any request. Unset: in memory.
   */
  blobs?: BlobStore;
  /** the job's health for GET /api/health (store and adapters; 503 when down); unset = `{ok: true}` while serving */
  health?: () => Promise<HealthReport>;
}

interface UploadMeta {
  conversation: string;
  name: string;
  contentType: string;
}

interface FileMeta {
  name: string;
  contentType: string;
}

/** Bytes kept in memory by id, with what the adapter needs to know of them. */
interface StoredBlob<M> {
  id: string;
  data: Buffer;
  meta: M;
}

/** An upload whose bytes are already in hand (the shared store's, or one just received), as an attachment. */
function heldAttachment(id: string, name: string, contentType: string, data: Buffer): IncomingAttachment {
  return {
    id,
    name,
    contentType,
    size: data.length,
    async fetch({ signal, maxBytes }) {
      if (signal?.aborted) throw new LegoError('aborted', 'fetch aborted');
      if (data.length > maxBytes) {
        throw new LegoError('too-large', `upload of ${data.length} bytes is over ${maxBytes}`, {
          userMessage: `Sorry, that file is too large for me (the limit is ${formatBytes(maxBytes)}).`,
        });
      }
      return data;
    },
  };
}

/** The one LRU, bounded by the bytes it holds (and, for uploads, a time-to-live). */
function blobCache<M>(maxBytes: number, ttlMs: number): BoundedLru<string, StoredBlob<M>> {
  return new BoundedLru<string, StoredBlob<M>>({ maxSize: maxBytes, sizeOf: (blob) => blob.data.length, ttlMs });
}

/** A conversation id chosen by the browser tab (random, kept in sessionStorage). */
const CONVERSATION_ID = /^[A-Za-z0-9_-]{8,64}$/;
const UPLOAD_ID = /^[0-9a-f-]{36}$/;
/** the id of a record in the shared blob store (sha256 hex) */
const SHARED_ID = /^[0-9a-f]{64}$/;
const RECORD_MIME = 'application/x-lego-web-file+json';

interface SharedMeta {
  conversation: string;
  name: string;
  contentType: string;
  /** the content hash of the bytes in the blob store */
  hash: string;
}

/** Uploads and reply files in the conversation store's blob store: the bytes by content hash, and a small record naming them. */
class SharedBlobs {
  constructor(private readonly blobs: BlobStore) {}

  async put(data: Buffer, meta: Omit<SharedMeta, 'hash'>): Promise<string> {
    const bytes = await this.blobs.put(data, meta.contentType);
    const record = await this.blobs.put(Buffer.from(JSON.stringify({ ...meta, hash: bytes.key }), 'utf8'), RECORD_MIME);
    return record.key;
  }

  async get(id: string): Promise<{ meta: SharedMeta; data: Buffer } | undefined> {
    const record = await this.blobs.get(id);
    if (record === undefined || record.mime !== RECORD_MIME) return undefined;
    let meta: SharedMeta;
    try {
      meta = JSON.parse(record.bytes.toString('utf8')) as SharedMeta;
    } catch {
      return undefined;
    }
    if (typeof meta.hash !== 'string' || typeof meta.name !== 'string' || typeof meta.contentType !== 'string') return undefined;
    const bytes = await this.blobs.get(meta.hash);
    return bytes === undefined ? undefined : { meta, data: bytes.bytes };
  }
}
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** A request from somewhere the chat does not serve (another Host name, another site's page): 403. */
function forbidden(message: string): LegoError {
  return new LegoError('bad-input', message, { userMessage: 'Forbidden.', details: { httpStatus: 403 } });
}

/**
 * The local web chat: serves the page (adapters/web/public) and a small JSON + Server-Sent-Events API
 * in front of the one bot pipeline.
 *
 *   POST /api/uploads?conversation=ID&name=NAME   raw bytes, Content-Type image/*, video/* or audio/*  → {id, …}
 *   DELETE /api/uploads/ID?conversation=ID   an attachment removed before it was sent  → 204
 *   POST /api/chat    {conversation, text, uploads: [id], region?: {x1,y1,x2,y2} px | {start,end} s}  → text/event-stream: status, partial, reply, done
 *   POST /api/reset   {conversation}                        → the reply to "reset"
 *   GET  /api/files/ID                                      → an answer's annotated image / timeline
 *   GET  /api/config, /api/health
 *
 * Uploads stay in memory (bounded, with a time-to-live) and reach the pipeline through
 * IncomingAttachment.fetch; a closed browser tab aborts its answer.
 */
export class WebAdapter implements Adapter {
  readonly name = 'web';
  private readonly options: WebAdapterOptions;
  /** the one turn loop (src/bot/turn-runner.ts): throttled partials, error replies, shutdown drain */
  private readonly runner: TurnRunner;
  private readonly bot: BotHandler;
  private readonly logger: Logger;
  private readonly metricsSource: MetricsSource | undefined;
  private readonly shared: SharedBlobs | undefined;
  private readonly healthReport: (() => Promise<HealthReport>) | undefined;
  private readonly uploads: BoundedLru<string, StoredBlob<UploadMeta>>;
  /** the uploads being received: their bytes in one budget (`maxReceivingBytes`) */
  private readonly receiving: MemoryBudget;
  private readonly files: BoundedLru<string, StoredBlob<FileMeta>>;
  private staticFiles = new Map<string, StaticFile>();
  private server: Server | undefined;
  private boundAddress: AddressInfo | undefined;

  constructor(deps: WebAdapterDeps, options: WebAdapterOptionsInput = {}) {
    this.options = resolveWebAdapterOptions(options);
    this.logger = deps.logger ?? silentLogger;
    this.metricsSource = deps.metrics;
    this.shared = deps.blobs === undefined ? undefined : new SharedBlobs(deps.blobs);
    this.healthReport = deps.health;
    this.bot = deps.bot;
    this.runner = new TurnRunner({ bot: deps.bot, logger: this.logger, platform: 'web' });
    this.uploads = blobCache(this.options.maxStoredUploadBytes, this.options.uploadTtlMs);
    this.receiving = new MemoryBudget(this.options.maxReceivingBytes);
    this.files = blobCache(this.options.maxStoredFileBytes, 0);
  }

  /** The URL of the chat once started, e.g. http://127.0.0.1:8080 */
  get address(): string {
    if (this.boundAddress === undefined) throw new LegoError('internal', 'the web adapter is not started');
    const host = this.boundAddress.family === 'IPv6' ? `[${this.boundAddress.address}]` : this.boundAddress.address;
    return `http://${host}:${this.boundAddress.port}`;
  }

  async start(): Promise<void> {
    if (this.server !== undefined) return;
    this.staticFiles = await loadStaticFiles(this.options.publicDir ?? join(__dirname, 'public'));
    const samplesDir = this.options.samplesDir === undefined ? findSamplesDir() : this.options.samplesDir;
    if (samplesDir !== null && samplesDir !== undefined) for (const [name, file] of await loadStaticFiles(samplesDir, '/samples')) this.staticFiles.set(name, file);
    // requestTimeout bounds receiving a request (headers + body), not the answer streamed back;
    // bodies are also cut after bodyIdleTimeoutMs without a byte (readBody)
    const timeouts = {
      headersTimeout: Math.min(this.options.headersTimeoutMs, this.options.receiveTimeoutMs),
      requestTimeout: this.options.receiveTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(this.options.headersTimeoutMs / 4))),
    };
    const server = createServer(timeouts, (req, res) => {
      this.route(req, res).catch((error: unknown) => this.fail(res, error));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      const code = (error as { code?: unknown }).code;
      const hint = code === 'EADDRINUSE' ? ' — the port is in use; choose another with web.port (env LEGO_WEB_PORT)' : '';
      throw new LegoError('config-invalid', `web chat cannot listen on ${this.options.host}:${this.options.port}: ${String(error)}${hint}`, {
        cause: error,
      });
    });
    this.server = server;
    this.boundAddress = server.address() as AddressInfo;
    this.logger.info({ address: this.address }, 'web chat listening');
  }

  /** Stops accepting, lets answers in flight finish for `shutdownGraceMs`, then cuts the rest. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const result = await this.runner.drain(this.options.shutdownGraceMs, 1000);
    if (result.cutOff > 0 || result.finished > 0) this.logger.info({ ...result }, 'web: answers in progress at shutdown');
    server.closeAllConnections();
    await closed;
    this.uploads.clear();
    this.files.clear();
    this.boundAddress = undefined;
  }

  private async route(req: HttpRequest, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!this.hostAllowed(req)) throw forbidden(`refused Host ${req.headers.host ?? '(none)'}`);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path.startsWith('/api/')) {
      if (method !== 'GET' && method !== 'HEAD' && !this.originAllowed(req)) {
        throw forbidden(`refused Origin ${req.headers.origin ?? ''}`);
      }
      if (method === 'POST' && path === '/api/uploads') return this.upload(req, res, url);
      if (method === 'DELETE' && path.startsWith('/api/uploads/')) return this.dropUpload(res, path.slice('/api/uploads/'.length), url);
      if (method === 'POST' && path === '/api/chat') return this.chat(req, res);
      if (method === 'POST' && path === '/api/reset') return this.reset(req, res);
      if (method === 'GET' && path.startsWith('/api/files/')) return this.file(res, path.slice('/api/files/'.length));
      if (method === 'GET' && path === '/api/config') return this.json(res, 200, this.publicConfig());
      if (method === 'GET' && path === '/api/health') return this.health(res);
      throw new LegoError('not-found', `no route ${method} ${path}`);
    }
    if (path === '/metrics' && method === 'GET' && this.metricsSource !== undefined) {
      const text = await this.metricsSource.metrics();
      res.writeHead(200, { 'Content-Type': this.metricsSource.contentType, 'Cache-Control': 'no-store' });
      res.end(text);
      return;
    }
    const file = this.staticFiles.get(path);
    if ((method === 'GET' || method === 'HEAD') && file !== undefined) {
      res.writeHead(200, {
        'Content-Type': file.contentType,
        'Content-Length': file.data.length,
        'Cache-Control': 'no-cache',
        'Content-Security-Policy':
          "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
      });
      res.end(method === 'HEAD' ? undefined : file.data);
      return;
    }
    throw new LegoError('not-found', `no file ${path}`);
  }

  private async health(res: ServerResponse): Promise<void> {
    if (this.healthReport === undefined) return this.json(res, 200, { ok: true });
    const report = await this.healthReport();
    this.json(res, healthHttpStatus(report), { ok: report.status !== 'down', ...report });
  }

  private publicConfig(): Record<string, unknown> {
    return {
      maxImageBytes: this.options.maxImageBytes,
      maxVideoBytes: this.options.maxVideoBytes,
      maxAudioBytes: this.options.maxAudioBytes,
      maxTextChars: this.options.maxTextChars,
    };
  }

  private async upload(req: HttpRequest, res: ServerResponse, url: URL): Promise<void> {
    const conversation = this.conversationId(url.searchParams.get('conversation'));
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const kind = contentType.startsWith('image/') ? 'image' : contentType.startsWith('video/') ? 'video' : contentType.startsWith('audio/') ? 'audio' : null;
    if (kind === null) {
      res.setHeader('Connection', 'close');
      throw new LegoError('unsupported-media', `upload of type "${contentType || '(none)'}" refused`);
    }
    const limit = kind === 'image' ? this.options.maxImageBytes : kind === 'video' ? this.options.maxVideoBytes : this.options.maxAudioBytes;
    const noun = kind === 'audio' ? 'sound' : kind;
    let data: Buffer;
    try {
      data = await this.receive(req, limit, `${kind} upload`);
    } catch (error) {
      res.setHeader('Connection', 'close');
      if (LegoError.is(error, 'too-large')) {
        throw new LegoError('too-large', error.message, {
          userMessage: `Sorry, that ${noun} is too large for me (the limit is ${formatBytes(limit)}).`,
        });
      }
      throw error;
    }
    if (data.length === 0) throw new LegoError('bad-input', 'empty upload', { userMessage: 'That file is empty.' });
    // the same bytes already held (a photo sent again, the store's copy): this request's copy goes now
    data = heldOnce(data);
    const name = (url.searchParams.get('name') ?? '').replace(/[\u0000-\u001f/\\]/g, '').slice(0, 200) || `upload.${kind === 'image' ? 'img' : kind === 'video' ? 'video' : 'sound'}`;
    if (this.shared !== undefined) {
      const id = await this.shared.put(data, { conversation, name, contentType });
      this.logger.debug({ conversation, bytes: data.length, contentType }, 'web upload (store)');
      this.json(res, 201, { id, name, contentType, size: data.length });
      this.prepareAhead(id, name, contentType, data);
      return;
    }
    const id = randomUUID();
    if (!this.uploads.set(id, { id, data, meta: { conversation, name, contentType } })) {
      throw new LegoError('too-large', `upload of ${data.length} bytes is over the memory for uploads`, {
        userMessage: `Sorry, that ${noun} is too large for me (the limit is ${formatBytes(this.options.maxStoredUploadBytes)}).`,
      });
    }
    this.logger.debug({ conversation, bytes: data.length, contentType }, 'web upload');
    this.json(res, 201, { id, name, contentType, size: data.length });
    this.prepareAhead(id, name, contentType, data);
  }

  /**
   * DELETE /api/uploads/ID?conversation=ID: the page removed an attachment it had uploaded on attach; its
   * bytes go now instead of at the end of their time-to-live. Uploads kept in a shared store are content
   * addressed (another id may name the same record), so there it only answers: they expire by their TTL.
   */
  private dropUpload(res: ServerResponse, id: string, url: URL): void {
    const conversation = this.conversationId(url.searchParams.get('conversation'));
    if (this.shared !== undefined && SHARED_ID.test(id)) {
      res.writeHead(204).end();
      return;
    }
    const entry = UPLOAD_ID.test(id) ? this.uploads.get(id) : undefined;
    if (entry === undefined || entry.meta.conversation !== conversation) throw new LegoError('not-found', `unknown upload ${id}`, { userMessage: 'That upload is gone already.' });
    this.uploads.delete(id);
    this.logger.debug({ conversation, bytes: entry.data.length }, 'web upload removed');
    res.writeHead(204).end();
  }

  /**
   * An upload's body, read once its bytes fit beside the uploads being received (`maxReceivingBytes`:
   * its Content-Length, or its whole limit when it declares none). Until then it waits unread, and the
   * client's own TCP window holds what it sends; a client that goes away while it waits gives its place up.
   */
  private async receive(req: HttpRequest, limit: number, what: string): Promise<Buffer> {
    const read = (): Promise<Buffer> => readBody(req, limit, what, this.options.bodyIdleTimeoutMs);
    if (this.receiving.waiting > 0 || this.receiving.usedBytes > 0) {
      this.logger.debug({ declared: req.headers['content-length'], receiving: this.receiving.usedBytes, waiting: this.receiving.waiting }, 'web upload beside others being received');
    }
    return receiveWithin(this.receiving, req, limit, read);
  }

  /**
   * The page uploads a file when it is attached, before its question is typed: the bot may start
   * decoding an image now (the turn then finds it prepared, or being prepared, by content hash).
   */
  private prepareAhead(id: string, name: string, contentType: string, data: Buffer): void {
    this.bot.prepareAhead?.(heldAttachment(id, name, contentType, data));
  }

  private async chat(req: HttpRequest, res: ServerResponse): Promise<void> {
    const body = await this.readJson(req);
    const conversation = this.conversationId(body.conversation);
    let text = typeof body.text === 'string' ? body.text.trim() : '';
    if (body.region !== undefined && body.region !== null) {
      // a rectangle dragged on the image (pixels as displayed) or a stretch of the video's timeline (seconds)
      const region = drawnRegionFromJson(body.region);
      if (region === null) {
        throw new LegoError('bad-input', 'malformed region', { userMessage: 'I could not read the region you marked; please draw it again.' });
      }
      text = withDrawnRegion(text, region);
    }
    if (text.length > this.options.maxTextChars) {
      throw new LegoError('bad-input', `question of ${text.length} characters`, {
        userMessage: `That question is too long (the limit is ${this.options.maxTextChars} characters).`,
      });
    }
    const uploadIds = Array.isArray(body.uploads) ? body.uploads : [];
    if (uploadIds.length > 4) throw new LegoError('bad-input', 'too many uploads', { userMessage: 'Please attach at most 4 files per message.' });
    const attachments: IncomingAttachment[] = await Promise.all(
      uploadIds.map(async (id) => (await this.sharedAttachment(id, conversation)) ?? this.attachment(id, conversation)),
    );
    if (text === '' && attachments.length === 0) {
      throw new LegoError('bad-input', 'empty message', { userMessage: 'Please type a question or attach an image or a video.' });
    }
    const message = this.message(conversation, text, attachments);
    const stream = new SseStream(res, this.options.heartbeatMs);
    // the answer grows token by token; the browser gets the latest text at most every partialIntervalMs
    const partial = async (message: { text: string; final: boolean }): Promise<string> => {
      if (!message.final) stream.send('partial', { text: message.text });
      return 'web';
    };
    const surface: ReplySurface = {
      limits: {
        maxMessageChars: 0,
        editIntervalMs: Math.max(0, this.options.partialIntervalMs),
        streamAfterMs: 0,
        typingIntervalMs: 0,
        maxUploadBytes: 0,
        growingMark: '',
      },
      send: partial,
      edit: async (_id, message) => void (await partial(message)),
      typing: async () => stream.send('typing', {}),
      status: async (text) => stream.send('status', { text }),
      finished: async (reply) => {
        // the growing text ends where the answer ends, whatever the interval held back
        if (reply.error === undefined && reply.skipped === undefined && reply.text !== '') stream.send('partial', { text: reply.text });
        stream.send('reply', await this.webReplyKept(reply));
      },
    };
    try {
      await this.answer(res, message, surface);
    } finally {
      // An upload serves the one message that names it: the bot keeps what follow-ups need in the
      // conversation store's blobs (the same bytes, not a copy), so this adapter's own copy goes now
      // instead of staying beside it for uploadTtlMs.
      for (const id of uploadIds) if (typeof id === 'string' && UPLOAD_ID.test(id)) this.uploads.delete(id);
    }
    stream.send('done', {});
    stream.end();
  }

  private async reset(req: HttpRequest, res: ServerResponse): Promise<void> {
    const body = await this.readJson(req);
    const conversation = this.conversationId(body.conversation);
    this.uploads.deleteWhere((blob) => blob.meta.conversation === conversation);
    let reply: WebReply | undefined;
    const surface: ReplySurface = {
      limits: { maxMessageChars: 0, editIntervalMs: 0, streamAfterMs: 0, typingIntervalMs: 0, maxUploadBytes: 0, growingMark: '' },
      send: async () => '',
      finished: async (answer) => void (reply = await this.webReplyKept(answer)),
    };
    await this.answer(res, this.message(conversation, 'reset', []), surface);
    this.json(res, 200, reply);
  }

  private async file(res: ServerResponse, id: string): Promise<void> {
    const shared = this.shared !== undefined && SHARED_ID.test(id) ? await this.shared.get(id) : undefined;
    const entry = shared !== undefined
      ? { data: shared.data, meta: { name: shared.meta.name, contentType: shared.meta.contentType } }
      : UPLOAD_ID.test(id) ? this.files.get(id) : undefined;
    if (entry === undefined) throw new LegoError('not-found', `no file ${id}`, { userMessage: 'That file is no longer available.' });
    res.writeHead(200, {
      'Content-Type': entry.meta.contentType,
      'Content-Length': entry.data.length,
      'Cache-Control': 'private, max-age=3600, immutable',
      'Content-Disposition': `inline; filename="${entry.meta.name.replace(/[^\w.-]/g, '_')}"`,
    });
    res.end(entry.data);
  }

  /** Runs one turn through the runner, aborting it when the browser goes away (the runner aborts it at shutdown). */
  private async answer(res: ServerResponse, message: IncomingMessage, surface: ReplySurface): Promise<void> {
    const controller = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) controller.abort(new LegoError('aborted', 'the browser closed the request'));
    };
    res.on('close', onClose);
    try {
      await this.runner.run(message, surface, { signal: controller.signal });
    } finally {
      res.off('close', onClose);
    }
  }

  private message(conversation: string, text: string, attachments: IncomingAttachment[]): IncomingMessage {
    return {
      platform: 'web',
      conversationKey: `web:${conversation}`,
      messageId: randomUUID(),
      author: { id: `web:${conversation}`, name: 'You' },
      text,
      attachments,
    };
  }

  /** An upload kept in the shared store (any instance took it), or undefined when the id is not one of those. */
  private async sharedAttachment(id: unknown, conversation: string): Promise<IncomingAttachment | undefined> {
    if (this.shared === undefined || typeof id !== 'string' || !SHARED_ID.test(id)) return undefined;
    const found = await this.shared.get(id);
    if (found === undefined || found.meta.conversation !== conversation) {
      throw new LegoError('not-found', `unknown upload ${id}`, { userMessage: 'That upload has expired — please attach the file again.' });
    }
    return heldAttachment(id, found.meta.name, found.meta.contentType, found.data);
  }

  /** The reply for the browser; with a shared store its files are kept there first, so any instance serves them. */
  private async webReplyKept(reply: Reply): Promise<WebReply> {
    const shared = this.shared;
    if (shared === undefined || reply.files.length === 0) return this.webReply(reply);
    const ids = new Map<ReplyFile, string>();
    for (const file of reply.files) ids.set(file, await shared.put(file.data, { conversation: '', name: file.name, contentType: file.contentType }));
    return toWebReply(reply, (file: ReplyFile) => `/api/files/${ids.get(file) ?? ''}`);
  }

  private attachment(id: unknown, conversation: string): IncomingAttachment {
    const entry = typeof id === 'string' && UPLOAD_ID.test(id) ? this.uploads.get(id) : undefined;
    if (entry === undefined || entry.meta.conversation !== conversation) {
      throw new LegoError('not-found', `unknown upload ${String(id)}`, {
        userMessage: 'That upload has expired — please attach the file again.',
      });
    }
    const uploads = this.uploads;
    return {
      id: entry.id,
      name: entry.meta.name,
      contentType: entry.meta.contentType,
      size: entry.data.length,
      async fetch({ signal, maxBytes }) {
        if (signal?.aborted) throw new LegoError('aborted', 'fetch aborted');
        const current = uploads.get(entry.id);
        if (current === undefined) {
          throw new LegoError('download-failed', `upload ${entry.id} expired`, {
            retryable: false,
            userMessage: 'That upload has expired — please attach the file again.',
          });
        }
        if (current.data.length > maxBytes) {
          throw new LegoError('too-large', `upload of ${current.data.length} bytes is over ${maxBytes}`, {
            userMessage: `Sorry, that file is too large for me (the limit is ${formatBytes(maxBytes)}).`,
          });
        }
        return current.data;
      },
    };
  }

  private webReply(reply: Reply): WebReply {
    return toWebReply(reply, (file: ReplyFile) => {
      const id = randomUUID();
      this.files.set(id, { id, data: file.data, meta: { name: file.name, contentType: file.contentType } });
      return `/api/files/${id}`;
    });
  }

  private conversationId(value: unknown): string {
    if (typeof value !== 'string' || !CONVERSATION_ID.test(value)) {
      throw new LegoError('bad-input', 'missing or malformed conversation id', { userMessage: 'Please reload the page.' });
    }
    return value;
  }

  private async readJson(req: HttpRequest): Promise<Record<string, unknown>> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') throw new LegoError('bad-input', `expected JSON, got "${type}"`);
    const raw = await readBody(req, this.options.maxJsonBytes, 'JSON body', this.options.bodyIdleTimeoutMs);
    try {
      const value: unknown = JSON.parse(raw.toString('utf8'));
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new LegoError('bad-input', 'malformed JSON body');
  }

  /** Refuses other Host names when bound to loopback (DNS rebinding). */
  private hostAllowed(req: HttpRequest): boolean {
    if (!LOOPBACK_HOSTS.has(this.options.host)) return true;
    const host = req.headers.host;
    if (host === undefined) return false;
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
    return LOOPBACK_HOSTS.has(name);
  }

  /** Browsers send Origin on cross-site POSTs: only our own page may call the API. */
  private originAllowed(req: HttpRequest): boolean {
    const origin = req.headers.origin;
    if (origin === undefined || origin === 'null') return origin === undefined;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const data = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': data.length, 'Cache-Control': 'no-store' });
    res.end(data);
  }

  private fail(res: ServerResponse, error: unknown): void {
    const lego = LegoError.from(error);
    const status = typeof lego.details?.httpStatus === 'number' ? lego.details.httpStatus : httpStatusOf(lego.code);
    if (status >= 500) this.logger.error({ code: lego.code, err: lego.message }, 'web request failed');
    else this.logger.debug({ code: lego.code, err: lego.message }, 'web request refused');
    if (res.headersSent) {
      res.end();
      return;
    }
    // the rest of a stalled or oversized body is not wanted: close rather than drain it
    if (status === 408 || status === 413) res.setHeader('Connection', 'close');
    this.json(res, status, { error: { code: lego.code, message: lego.userMessage, retryable: lego.retryable } });
  }
}
