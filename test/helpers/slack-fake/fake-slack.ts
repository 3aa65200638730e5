/**
 * A local fake of the parts of Slack the adapter talks to, on 127.0.0.1: the Web API (POST
 * /api/<method>, form-encoded, JSON or multipart, Bearer token checked), the external upload URL,
 * the `url_private` file host (Bearer checked; with `filesRead: false` it answers 200 with an HTML
 * login page as Slack does without the scope), and slash-command `response_url`s. Every call is
 * recorded; `rateLimit(method)` makes the next call(s) of a method answer 429 with Retry-After.
 *
 *   const slack = new FakeSlack({ botToken: 'xoxb-test' });
 *   await slack.start();
 *   new App({ clientOptions: { slackApiUrl: slack.apiUrl } … });
 *   const file = slack.addFile(pngBytes, { name: 'shapes.png', mimetype: 'image/png' });
 *   await slack.waitFor(() => slack.uploads.length === 1);
 */
import { createServer } from 'node:http';
import type { IncomingMessage as HttpRequest, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSlackOptions {
  botToken: string;
  /** the bot's identity, as auth.test reports it */
  botUserId?: string;
  botId?: string;
  teamId?: string;
  /** whether the token has files:read (default true); false: url_private answers an HTML page */
  filesRead?: boolean;
  /** whether chat.startStream/appendStream/stopStream exist (default false: they answer unknown_method) */
  streaming?: boolean;
  /** the app-level token apps.connections.open accepts, and the Socket Mode URL it hands out */
  appToken?: string;
  socketUrl?: () => string;
}

export interface FakeCall {
  method: string;
  params: Record<string, unknown>;
  /** 429 answered to this call */
  rateLimited: boolean;
  at: number;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  user: string;
  bot_id: string;
  /** every text the message had, first to last (posted, then updates / appended stream text) */
  history: string[];
  streaming?: 'open' | 'stopped';
}

export interface FakeFile {
  id: string;
  name: string;
  mimetype: string;
  bytes: Buffer;
}

export interface FakeUpload {
  fileId: string;
  filename: string;
  length: number;
  bytes?: Buffer;
  /** from files.completeUploadExternal */
  completed?: { channelId?: string; threadTs?: string; title?: string };
}

function readBody(request: HttpRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function json(response: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

/** The fields of a multipart body, parsed by undici. */
async function formEntries(body: Buffer, contentType: string): Promise<[string, FormDataEntryValue][]> {
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  const entries: [string, FormDataEntryValue][] = [];
  form.forEach((value, key) => entries.push([key, value]));
  return entries;
}

const LOGIN_PAGE = '<!DOCTYPE html>\n<html lang="en"><head><title>Slack</title></head><body>Sign in to Slack</body></html>\n';

export class FakeSlack {
  readonly calls: FakeCall[] = [];
  readonly messages: FakeMessage[] = [];
  readonly uploads: FakeUpload[] = [];
  readonly files = new Map<string, FakeFile>();
  readonly responses: { id: string; body: Record<string, unknown> }[] = [];
  /** GETs of url_private: file id and whether the Bearer token was right */
  readonly downloads: { fileId: string; authorised: boolean }[] = [];
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  filesRead: boolean;
  streaming: boolean;
  private readonly botToken: string;
  private readonly appToken: string | undefined;
  private readonly socketUrl: (() => string) | undefined;
  private readonly server: Server;
  private readonly limits = new Map<string, { times: number; retryAfter: number }>();
  private tsCounter = 0;
  private idCounter = 0;

  constructor(options: FakeSlackOptions) {
    this.botToken = options.botToken;
    this.appToken = options.appToken;
    this.socketUrl = options.socketUrl;
    this.botUserId = options.botUserId ?? 'UBOT00001';
    this.botId = options.botId ?? 'BBOT00001';
    this.teamId = options.teamId ?? 'T00000001';
    this.filesRead = options.filesRead ?? true;
    this.streaming = options.streaming ?? false;
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        if (!response.headersSent) json(response, { ok: false, error: 'fake_error', detail: String(error) }, 500);
        else response.end();
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** host:port, for the adapter's file-host allow list */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get baseUrl(): string {
    return `http://${this.host}`;
  }

  /** the Web API base, for `clientOptions.slackApiUrl` */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  /** The next `times` calls of `method` answer 429 with `Retry-After: retryAfter` seconds. */
  rateLimit(method: string, times = 1, retryAfter = 1): void {
    this.limits.set(method, { times, retryAfter });
  }

  /** A file a user "uploaded": the file object an event carries, its url_private on this fake. */
  addFile(bytes: Buffer, meta: { name: string; mimetype: string }): Record<string, unknown> {
    this.idCounter += 1;
    const id = `F${String(this.idCounter).padStart(8, '0')}`;
    this.files.set(id, { id, name: meta.name, mimetype: meta.mimetype, bytes });
    return this.fileObject(id);
  }

  fileObject(id: string): Record<string, unknown> {
    const file = this.files.get(id);
    if (file === undefined) throw new Error(`no fake file ${id}`);
    return {
      id,
      name: file.name,
      title: file.name,
      mimetype: file.mimetype,
      filetype: file.mimetype.split('/')[1] ?? 'binary',
      size: file.bytes.length,
      url_private: `${this.baseUrl}/files-pri/${this.teamId}-${id}/${encodeURIComponent(file.name)}`,
      url_private_download: `${this.baseUrl}/files-pri/${this.teamId}-${id}/download/${encodeURIComponent(file.name)}`,
    };
  }

  /** Calls of one Web API method (429-answered ones left out unless asked). */
  callsOf(method: string, includeRateLimited = false): FakeCall[] {
    return this.calls.filter((call) => call.method === method && (includeRateLimited || !call.rateLimited));
  }

  /** The bot's messages in a thread (or a channel's top level when `threadTs` is undefined), oldest first. */
  thread(channel: string, threadTs: string | undefined): FakeMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.thread_ts === threadTs);
  }

  /** Poll until `check` holds (default 10 s). */
  async waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > until) throw new Error(`FakeSlack: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `1700000000.${String(this.tsCounter).padStart(6, '0')}`;
  }

  private authorised(request: HttpRequest, params: Record<string, unknown>): boolean {
    const header = request.headers.authorization;
    return header === `Bearer ${this.botToken}` || params.token === this.botToken;
  }

  private async route(request: HttpRequest, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    if (request.method === 'GET' && url.pathname.startsWith('/files-pri/')) return this.serveFile(request, response, url);
    const body = await readBody(request);
    if (url.pathname.startsWith('/upload/')) return this.receiveUpload(request, response, url, body);
    if (url.pathname.startsWith('/respond/')) {
      this.responses.push({ id: url.pathname.slice('/respond/'.length), body: JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown> });
      json(response, { ok: true });
      return;
    }
    if (!url.pathname.startsWith('/api/')) {
      response.writeHead(404).end();
      return;
    }
    const method = url.pathname.slice('/api/'.length);
    const params = await this.parseParams(request, body);
    const limit = this.limits.get(method);
    if (limit !== undefined && limit.times > 0) {
      limit.times -= 1;
      this.calls.push({ method, params, rateLimited: true, at: Date.now() });
      json(response, { ok: false, error: 'ratelimited' }, 429, { 'retry-after': String(limit.retryAfter) });
      return;
    }
    this.calls.push({ method, params, rateLimited: false, at: Date.now() });
    if (method === 'apps.connections.open') {
      const ok = this.appToken !== undefined && request.headers.authorization === `Bearer ${this.appToken}` && this.socketUrl !== undefined;
      json(response, ok ? { ok: true, url: this.socketUrl?.() } : { ok: false, error: 'invalid_auth' });
      return;
    }
    if (!this.authorised(request, params)) {
      json(response, { ok: false, error: 'invalid_auth' });
      return;
    }
    json(response, this.answer(method, params));
  }

  private async parseParams(request: HttpRequest, body: Buffer): Promise<Record<string, unknown>> {
    const type = request.headers['content-type'] ?? '';
    if (type.startsWith('application/json')) return JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    if (type.startsWith('multipart/form-data')) {
      const out: Record<string, unknown> = {};
      for (const [key, value] of await formEntries(body, type)) out[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
      return out;
    }
    return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  }

  private serveFile(request: HttpRequest, response: ServerResponse, url: URL): void {
    const match = /^\/files-pri\/[^/]+-(F\d+)\//.exec(url.pathname);
    const file = match?.[1] === undefined ? undefined : this.files.get(match[1]);
    const authorised = request.headers.authorization === `Bearer ${this.botToken}`;
    this.downloads.push({ fileId: match?.[1] ?? '', authorised });
    if (file === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (!authorised || !this.filesRead) {
      // what Slack does: a 200 with its sign-in page, not a 401
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(LOGIN_PAGE);
      return;
    }
    response.writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.bytes.length) }).end(file.bytes);
  }

  private async receiveUpload(request: HttpRequest, response: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const upload = this.uploads.find((u) => u.fileId === url.pathname.slice('/upload/'.length));
    if (upload === undefined) {
      response.writeHead(404).end();
      return;
    }
    const type = request.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      const part = (await formEntries(body, type)).map(([, value]) => value).find((value) => typeof value !== 'string');
      upload.bytes = part === undefined || typeof part === 'string' ? Buffer.alloc(0) : Buffer.from(await part.arrayBuffer());
    } else {
      upload.bytes = body;
    }
    response.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${upload.bytes.length}`);
  }

  private findMessage(channel: unknown, ts: unknown): FakeMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  private answer(method: string, params: Record<string, unknown>): Record<string, unknown> {
    const str = (key: string): string | undefined => (typeof params[key] === 'string' ? (params[key] as string) : undefined);
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake Team', user: 'lego', team_id: this.teamId, user_id: this.botUserId, bot_id: this.botId };
      case 'chat.postMessage': {
        const channel = str('channel');
        if (channel === undefined) return { ok: false, error: 'channel_not_found' };
        const text = str('text') ?? str('markdown_text') ?? '';
        const message: FakeMessage = { channel, ts: this.nextTs(), text, user: this.botUserId, bot_id: this.botId, history: [text] };
        const threadTs = str('thread_ts');
        if (threadTs !== undefined && threadTs !== '') message.thread_ts = threadTs;
        this.messages.push(message);
        return { ok: true, channel, ts: message.ts, message: { type: 'message', text, user: this.botUserId, bot_id: this.botId, ts: message.ts } };
      }
      case 'chat.update': {
        const message = this.findMessage(params.channel, params.ts);
        if (message === undefined) return { ok: false, error: 'message_not_found' };
        message.text = str('text') ?? message.text;
        message.history.push(message.text);
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'chat.startStream': {
        if (!this.streaming) return { ok: false, error: 'unknown_method' };
        const channel = str('channel') ?? '';
        const text = str('markdown_text') ?? '';
        const message: FakeMessage = { channel, ts: this.nextTs(), thread_ts: str('thread_ts'), text, user: this.botUserId, bot_id: this.botId, history: [text], streaming: 'open' };
        this.messages.push(message);
        return { ok: true, channel, ts: message.ts };
      }
      case 'chat.appendStream':
      case 'chat.stopStream': {
        if (!this.streaming) return { ok: false, error: 'unknown_method' };
        const message = this.findMessage(params.channel, params.ts);
        if (message === undefined) return { ok: false, error: 'message_not_found' };
        if (message.streaming !== 'open') return { ok: false, error: 'message_not_in_streaming_state' };
        message.text += str('markdown_text') ?? '';
        message.history.push(message.text);
        if (method === 'chat.stopStream') message.streaming = 'stopped';
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'files.getUploadURLExternal': {
        this.idCounter += 1;
        const fileId = `F${String(this.idCounter).padStart(8, '0')}`;
        this.uploads.push({ fileId, filename: str('filename') ?? '', length: Number(params.length ?? 0) });
        return { ok: true, upload_url: `${this.baseUrl}/upload/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal': {
        const files = JSON.parse(str('files') ?? '[]') as { id: string; title?: string }[];
        for (const entry of files) {
          const upload = this.uploads.find((u) => u.fileId === entry.id);
          if (upload === undefined || upload.bytes === undefined) return { ok: false, error: 'file_not_found' };
          upload.completed = { channelId: str('channel_id'), threadTs: str('thread_ts'), title: entry.title };
        }
        return { ok: true, files: files.map((entry) => ({ id: entry.id, title: entry.title })) };
      }
      case 'files.info': {
        const id = str('file') ?? '';
        return this.files.has(id) ? { ok: true, file: this.fileObject(id) } : { ok: false, error: 'file_not_found' };
      }
      case 'conversations.info':
        return { ok: true, channel: { id: str('channel'), is_channel: true, is_member: true } };
      case 'conversations.replies':
        return { ok: true, messages: this.thread(str('channel') ?? '', str('ts')), has_more: false };
      case 'assistant.threads.setStatus':
      case 'assistant.threads.setSuggestedPrompts':
      case 'assistant.threads.setTitle':
        return { ok: true };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}
