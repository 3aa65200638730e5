import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway } from './fake-gateway';
import { parseMultipart } from './multipart';
import type { MultipartFile } from './multipart';
import { channelPayload, guildPayload, memberPayload, messagePayload } from './payloads';
import type { FakeAttachment, FakeChannel, FakeGuild, FakeUser, StoredMessage } from './payloads';
import { Snowflakes } from './snowflakes';

/** One REST call the fake received (bodies parsed; file bytes kept in `files`). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  json: Record<string, unknown> | undefined;
  files: MultipartFile[];
  status: number;
  at: number;
}

export interface RateLimitRule {
  method: string;
  path: RegExp;
  /** how many matching requests get a 429 */
  times: number;
  /** seconds, as Discord sends it (the Retry-After header is whole seconds) */
  retryAfter: number;
}

/** A file a fake user attaches: bytes served by the fake CDN, or any URL (for "not Discord's host" tests). */
export interface UploadSpec {
  name: string;
  data?: Buffer;
  contentType?: string;
  /** the size Discord declares (default: the real size) */
  declaredSize?: number;
  /** serve it from here instead of the fake CDN */
  url?: string;
}

export interface SendUserMessage {
  channelId: string;
  author: FakeUser;
  content?: string;
  /** prefix the content with the bot's mention and list it in `mentions` */
  mentionBot?: boolean;
  attachments?: UploadSpec[];
  /** reply to this message (Discord's message_reference + referenced_message) */
  replyTo?: string;
  /** a reply that pings the author replied to (Discord clients' default): they are in `mentions`, not in the content */
  pingReply?: boolean;
}

export interface SlashCommand {
  channelId: string;
  user: FakeUser;
  subcommand: string;
  options?: { name: string; type: number; value: string | number | boolean }[];
  attachment?: { option: string } & UploadSpec;
}

export interface FakeDiscordOptions {
  token?: string;
  heartbeatIntervalMs?: number;
}

interface StoredInteraction {
  id: string;
  token: string;
  channelId: string;
  guildId?: string;
  user: FakeUser;
  callbacks: { type: number; data?: Record<string, unknown> }[];
  originalMessageId?: string;
}

const API = '/api/v10';
const INTENT_GUILD_MESSAGES = 1 << 9;
const INTENT_DIRECT_MESSAGES = 1 << 12;
const INTENT_MESSAGE_CONTENT = 1 << 15;

/** Discord's own checks on a message body: not empty, at most 2,000 characters. */
function invalidMessage(content: string, fileCount: number): { status: number; body: unknown } | undefined {
  if (content.length > 2000) {
    return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } } } };
  }
  if (content.trim() === '' && fileCount === 0) return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } };
  return undefined;
}
const JSON_TYPE = { 'content-type': 'application/json' };

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    request.on('data', (chunk: Buffer) => parts.push(chunk));
    request.on('end', () => resolve(Buffer.concat(parts)));
    request.on('error', reject);
  });
}

/**
 * A local Discord for end-to-end tests of the real discord.js client: REST under
 * `http://127.0.0.1:PORT/api` (v10 routes the bot uses, JSON and multipart with the file bytes kept),
 * the gateway on the same port (see FakeGateway), and a CDN under `/attachments/…` that counts
 * downloads. Tests act as users (`sendMessage`, `runSlashCommand`) and read what the bot sent.
 */
export class FakeDiscord {
  readonly token: string;
  readonly ids = new Snowflakes();
  readonly bot: FakeUser;
  readonly applicationId: string;
  readonly gateway: FakeGateway;
  readonly requests: RecordedRequest[] = [];
  /** REST calls to routes the fake does not know (a test should expect none) */
  readonly unknownRoutes: string[] = [];
  readonly cdnDownloads: string[] = [];
  readonly typing = new Map<string, number>();
  readonly registeredCommands = new Map<string, unknown[]>();
  readonly guilds = new Map<string, FakeGuild>();
  readonly channels = new Map<string, FakeChannel>();
  readonly messages = new Map<string, StoredMessage>();
  readonly interactions = new Map<string, StoredInteraction>();
  private readonly cdn = new Map<string, { data: Buffer; contentType: string }>();
  private readonly rateLimits: RateLimitRule[] = [];
  private readonly changes = new EventEmitter();
  private server: Server | undefined;
  private port = 0;
  /** uploads larger than this in one request are refused like Discord does (413, code 40005); 10 MiB for a server without boosts */
  maxUploadBytes = 10 * 1024 * 1024;
  /** logins to refuse before accepting one: `GET /gateway/bot` answers 401 like Discord does for a bad token */
  refuseLogins = 0;
  /** logins refused so far */
  refusedLogins = 0;

  private constructor(options: FakeDiscordOptions) {
    this.token = options.token ?? 'fake.discord.token-for-tests-only';
    this.applicationId = this.ids.next();
    this.bot = { id: this.applicationId, username: 'LEGO', global_name: 'LEGO', discriminator: '0', avatar: null, bot: true };
    this.changes.setMaxListeners(100);
    this.gateway = new FakeGateway({
      token: this.token,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 5000,
      newSessionId: () => `session-${this.ids.next()}`,
      resumeUrl: () => this.gatewayUrl,
      readyPayload: () => ({
        v: 10,
        user: { ...this.bot, verified: true, mfa_enabled: false, flags: 0 },
        guilds: [...this.guilds.keys()].map((id) => ({ id, unavailable: true })),
        private_channels: [],
        shard: [0, 1],
        application: { id: this.applicationId, flags: 0 },
      }),
      afterReady: () => [...this.guilds.values()].map((guild) => ({ t: 'GUILD_CREATE', d: guildPayload(guild, this.bot) })),
    });
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(options);
    const server = createServer((request, response) => {
      fake.onRequest(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, JSON_TYPE);
        response.end(JSON.stringify({ message: String(error), code: 0 }));
      });
    });
    server.on('upgrade', (request, socket, head) => fake.gateway.handleUpgrade(request, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    fake.port = (server.address() as AddressInfo).port;
    return fake;
  }

  /** `rest.api` for discord.js */
  get apiBase(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** the fake CDN's host:port (put it in discord.cdnHosts) */
  get cdnHost(): string {
    return `127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await this.gateway.close();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  // ---- world building -------------------------------------------------------------------------

  user(username: string): FakeUser {
    return { id: this.ids.next(), username, global_name: username, discriminator: '0', avatar: null };
  }

  /** A server with text channels and roles; add before the client logs in (or it arrives as GUILD_CREATE). */
  addGuild(spec: { name: string; channels: string[]; roles?: string[] }): { guild: FakeGuild; channel: (name: string) => FakeChannel; role: (name: string) => string } {
    const id = this.ids.next();
    const guild: FakeGuild = {
      id,
      name: spec.name,
      roles: (spec.roles ?? []).map((name) => ({ id: this.ids.next(), name })),
      channels: spec.channels.map((name) => ({ id: this.ids.next(), type: 0, name, guild_id: id })),
      memberRoles: new Map(),
    };
    this.guilds.set(id, guild);
    for (const channel of guild.channels) this.channels.set(channel.id, channel);
    if (this.gateway.connected) this.gateway.dispatch('GUILD_CREATE', guildPayload(guild, this.bot));
    return {
      guild,
      channel: (name) => {
        const found = guild.channels.find((c) => c.name === name);
        if (found === undefined) throw new Error(`no channel ${name}`);
        return found;
      },
      role: (name) => {
        const found = guild.roles.find((r) => r.name === name);
        if (found === undefined) throw new Error(`no role ${name}`);
        return found.id;
      },
    };
  }

  giveRole(guildId: string, userId: string, roleId: string): void {
    const guild = this.guilds.get(guildId);
    if (guild === undefined) throw new Error('no such guild');
    guild.memberRoles.set(userId, [...(guild.memberRoles.get(userId) ?? []), roleId]);
  }

  /** A DM channel between `user` and the bot. */
  openDm(user: FakeUser): FakeChannel {
    const channel: FakeChannel = { id: this.ids.next(), type: 1, recipients: [user] };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** Put a file on the fake CDN (or describe one elsewhere) and return its attachment object. */
  upload(channelId: string, spec: UploadSpec): FakeAttachment {
    const id = this.ids.next();
    const data = spec.data ?? Buffer.alloc(0);
    const url = spec.url ?? `http://${this.cdnHost}/attachments/${channelId}/${id}/${encodeURIComponent(spec.name)}`;
    if (spec.url === undefined) this.cdn.set(new URL(url).pathname, { data, contentType: spec.contentType ?? 'application/octet-stream' });
    return {
      id,
      filename: spec.name,
      size: spec.declaredSize ?? data.length,
      url,
      proxy_url: url.replace('/attachments/', '/proxy/attachments/'),
      ...(spec.contentType === undefined ? {} : { content_type: spec.contentType }),
    };
  }

  // ---- acting as users --------------------------------------------------------------------------

  /** A user posts a message: stored, and dispatched as MESSAGE_CREATE (buffered while the bot is disconnected). */
  sendMessage(spec: SendUserMessage): StoredMessage {
    const channel = this.channels.get(spec.channelId);
    if (channel === undefined) throw new Error(`no channel ${spec.channelId}`);
    const content = spec.mentionBot === true ? `<@${this.bot.id}> ${spec.content ?? ''}`.trim() : (spec.content ?? '');
    const message = this.storeMessage({
      channel,
      author: spec.author,
      content,
      attachments: (spec.attachments ?? []).map((a) => this.upload(channel.id, a)),
      mentions: [
        ...(spec.mentionBot === true ? [this.bot] : []),
        ...(spec.pingReply === true && spec.replyTo !== undefined ? [this.messages.get(spec.replyTo)?.author].filter((u): u is FakeUser => u !== undefined) : []),
      ],
      replyTo: spec.replyTo,
    });
    this.dispatchMessage('MESSAGE_CREATE', message);
    return message;
  }

  /** A user runs `/lego <subcommand>`: INTERACTION_CREATE with resolved attachments. */
  runSlashCommand(spec: SlashCommand): StoredInteraction {
    const channel = this.channels.get(spec.channelId);
    if (channel === undefined) throw new Error(`no channel ${spec.channelId}`);
    const options: Record<string, unknown>[] = (spec.options ?? []).map((o) => ({ ...o }));
    const resolved: Record<string, unknown> = {};
    if (spec.attachment !== undefined) {
      const attachment = this.upload(channel.id, spec.attachment);
      options.push({ name: spec.attachment.option, type: 11, value: attachment.id });
      resolved.attachments = { [attachment.id]: attachment };
    }
    const interaction: StoredInteraction = {
      id: this.ids.next(),
      token: `interaction-token-${this.ids.next()}`,
      channelId: channel.id,
      guildId: channel.guild_id,
      user: spec.user,
      callbacks: [],
    };
    this.interactions.set(interaction.token, interaction);
    const guild = channel.guild_id === undefined ? undefined : this.guilds.get(channel.guild_id);
    this.gateway.dispatch('INTERACTION_CREATE', {
      id: interaction.id,
      application_id: this.applicationId,
      type: 2,
      token: interaction.token,
      version: 1,
      locale: 'en-US',
      app_permissions: '2248473465835073',
      entitlements: [],
      authorizing_integration_owners: { 0: channel.guild_id ?? '0' },
      context: channel.guild_id === undefined ? 1 : 0,
      channel_id: channel.id,
      channel: channelPayload(channel),
      data: {
        id: this.ids.next(),
        name: 'lego',
        type: 1,
        options: [{ name: spec.subcommand, type: 1, options }],
        ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
      },
      ...(guild === undefined
        ? { user: spec.user }
        : { guild_id: guild.id, guild_locale: 'en-US', member: { ...memberPayload(spec.user, guild.memberRoles.get(spec.user.id) ?? []), permissions: '2248473465835073' } }),
    });
    return interaction;
  }

  /** The next `times` requests matching get 429 with Retry-After (discord.js must wait and retry). */
  rateLimit(rule: RateLimitRule): void {
    this.rateLimits.push({ ...rule });
  }

  // ---- reading what the bot did ------------------------------------------------------------------

  botMessages(channelId?: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.author.id === this.bot.id && (channelId === undefined || m.channel_id === channelId));
  }

  filesOf(message: StoredMessage): { attachment: FakeAttachment; data: Buffer }[] {
    return message.attachments.map((attachment) => ({ attachment, data: this.cdn.get(new URL(attachment.url).pathname)?.data ?? Buffer.alloc(0) }));
  }

  /** Resolves with `check()`'s first defined value, re-checked after every change of the fake and every 20 ms (for conditions outside it). */
  waitFor<T>(check: () => T | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const test = (): boolean => {
        const value = check();
        if (value === undefined || value === false) return false;
        cleanup();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`FakeDiscord: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const poll = setInterval(test, 20);
      const cleanup = (): void => {
        clearTimeout(timer);
        clearInterval(poll);
        this.changes.off('change', test);
      };
      this.changes.on('change', test);
      test();
    });
  }

  /** Wait for the gateway to have been (re)established `count` times in total. */
  waitForGateway(event: 'ready' | 'resumed', count = 1, timeoutMs = 15_000): Promise<void> {
    const current = (): number => (event === 'ready' ? this.gateway.stats.identifies : this.gateway.stats.resumes);
    return this.waitFor(() => current() >= count || undefined, timeoutMs, `gateway ${event} #${count}`).then(() => undefined);
  }

  // ---- internals ------------------------------------------------------------------------------

  private changed(): void {
    this.changes.emit('change');
  }

  private storeMessage(spec: {
    channel: FakeChannel;
    author: FakeUser;
    content: string;
    attachments: FakeAttachment[];
    mentions: FakeUser[];
    replyTo?: string;
    type?: number;
    flags?: number;
    extra?: Partial<StoredMessage>;
  }): StoredMessage {
    const reference = spec.replyTo === undefined ? undefined : this.messages.get(spec.replyTo);
    const message: StoredMessage = {
      id: this.ids.next(),
      channel_id: spec.channel.id,
      ...(spec.channel.guild_id === undefined ? {} : { guild_id: spec.channel.guild_id }),
      author: spec.author,
      content: spec.content,
      attachments: spec.attachments,
      mentions: spec.mentions,
      type: spec.type ?? (reference === undefined ? 0 : 19),
      flags: spec.flags ?? 0,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      ...(reference === undefined
        ? {}
        : { message_reference: { message_id: reference.id, channel_id: reference.channel_id, ...(reference.guild_id === undefined ? {} : { guild_id: reference.guild_id }) } }),
      ...spec.extra,
      history: [spec.content],
      editTimes: [],
    };
    this.messages.set(message.id, message);
    this.changed();
    return message;
  }

  private dispatchMessage(event: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: StoredMessage): void {
    const channel = this.channels.get(message.channel_id);
    const referenced = message.message_reference === undefined ? undefined : this.messages.get(message.message_reference.message_id);
    const guild = message.guild_id === undefined ? undefined : this.guilds.get(message.guild_id);
    // Discord sends message events only for the intents asked for, and blanks the content of guild
    // messages that neither mention the bot nor come from it without the MessageContent intent
    const intents = this.gateway.intents;
    if ((intents & (guild === undefined ? INTENT_DIRECT_MESSAGES : INTENT_GUILD_MESSAGES)) === 0) return;
    const wire = messagePayload(message, referenced);
    const readable = guild === undefined || message.author.id === this.bot.id || message.mentions.some((u) => u.id === this.bot.id);
    if ((intents & INTENT_MESSAGE_CONTENT) === 0 && !readable) Object.assign(wire, { content: '', attachments: [], embeds: [] });
    this.gateway.dispatch(event, {
      ...wire,
      channel_type: channel?.type ?? 0,
      ...(guild === undefined ? {} : { member: memberPayload(undefined, guild.memberRoles.get(message.author.id) ?? []) }),
    });
  }

  private respond(response: ServerResponse, record: RecordedRequest, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    record.status = status;
    if (body === undefined) {
      response.writeHead(status, headers);
      response.end();
    } else {
      response.writeHead(status, { ...JSON_TYPE, ...headers });
      response.end(JSON.stringify(body));
    }
    this.changed();
  }

  private async onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${this.port}`);
    if (request.method === 'GET' && url.pathname.startsWith('/attachments/')) {
      this.cdnDownloads.push(url.pathname);
      const file = this.cdn.get(url.pathname);
      if (file === undefined) {
        response.writeHead(404).end();
      } else {
        response.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.data.length) });
        response.end(file.data);
      }
      this.changed();
      return;
    }
    const body = await readBody(request);
    const contentType = request.headers['content-type'] ?? '';
    let json: Record<string, unknown> | undefined;
    let files: MultipartFile[] = [];
    if (contentType.startsWith('multipart/form-data')) {
      const parsed = await parseMultipart(body, contentType);
      json = parsed.payload;
      files = parsed.files;
    } else if (body.length > 0) {
      json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    }
    const method = request.method ?? 'GET';
    const pathname = decodeURIComponent(url.pathname);
    const path = pathname.startsWith(API) ? pathname.slice(API.length) : pathname;
    const record: RecordedRequest = { method, path, query: url.searchParams, authorization: request.headers.authorization, json, files, status: 0, at: Date.now() };
    this.requests.push(record);

    const limited = this.rateLimits.find((rule) => rule.times > 0 && rule.method === method && rule.path.test(path));
    if (limited !== undefined) {
      limited.times--;
      this.respond(
        response,
        record,
        429,
        { message: 'You are being rate limited.', retry_after: limited.retryAfter, global: false },
        {
          'retry-after': String(Math.ceil(limited.retryAfter)),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(limited.retryAfter),
          'x-ratelimit-bucket': 'fake-bucket',
          'x-ratelimit-scope': 'user',
        },
      );
      return;
    }
    const open = path.startsWith('/interactions/') || path.startsWith('/webhooks/');
    if (method === 'GET' && path === '/gateway/bot' && this.refuseLogins > 0) {
      this.refuseLogins -= 1;
      this.refusedLogins += 1;
      this.respond(response, record, 401, { message: '401: Unauthorized', code: 0 });
      return;
    }
    if (!open && request.headers.authorization !== `Bot ${this.token}`) {
      this.respond(response, record, 401, { message: '401: Unauthorized', code: 0 });
      return;
    }
    const uploaded = files.reduce((sum, file) => sum + file.data.length, 0);
    if (uploaded > this.maxUploadBytes) {
      this.respond(response, record, 413, { message: 'Request entity too large', code: 40005 });
      return;
    }
    const result = this.route(method, path, url.searchParams, json ?? {}, files);
    if (result === undefined) {
      this.unknownRoutes.push(`${method} ${path}`);
      this.respond(response, record, 404, { message: '404: Not Found', code: 0 });
      return;
    }
    this.respond(response, record, result.status, result.body);
  }

  private route(
    method: string,
    path: string,
    query: URLSearchParams,
    json: Record<string, unknown>,
    files: MultipartFile[],
  ): { status: number; body?: unknown } | undefined {
    let m: RegExpMatchArray | null;
    const key = `${method} ${path}`;
    if (key === 'GET /gateway/bot') {
      return {
        status: 200,
        body: { url: this.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } },
      };
    }
    if (key === 'GET /gateway') return { status: 200, body: { url: this.gatewayUrl } };
    if (key === 'GET /users/@me') return { status: 200, body: { ...this.bot, verified: true, flags: 0 } };
    if (key === 'GET /applications/@me') return { status: 200, body: { id: this.applicationId, name: 'LEGO', bot: this.bot, flags: 0 } };
    if ((m = key.match(/^PUT \/applications\/(\d+)\/(?:guilds\/(\d+)\/)?commands$/)) !== null) {
      if (m[1] !== this.applicationId) return { status: 404, body: { message: 'Unknown Application', code: 10002 } };
      const commands = (Array.isArray(json) ? json : (json as unknown as unknown[])).map((command) => ({
        ...(command as Record<string, unknown>),
        id: this.ids.next(),
        application_id: this.applicationId,
        version: this.ids.next(),
        ...(m?.[2] === undefined ? {} : { guild_id: m[2] }),
      }));
      this.registeredCommands.set(m[2] ?? 'global', commands);
      return { status: 200, body: commands };
    }
    if ((m = key.match(/^GET \/channels\/(\d+)$/)) !== null) {
      const channel = this.channels.get(m[1] ?? '');
      return channel === undefined ? { status: 404, body: { message: 'Unknown Channel', code: 10003 } } : { status: 200, body: channelPayload(channel) };
    }
    if ((m = key.match(/^POST \/channels\/(\d+)\/typing$/)) !== null) {
      this.typing.set(m[1] ?? '', (this.typing.get(m[1] ?? '') ?? 0) + 1);
      return { status: 204 };
    }
    if ((m = key.match(/^POST \/channels\/(\d+)\/messages$/)) !== null) {
      const channel = this.channels.get(m[1] ?? '');
      if (channel === undefined) return { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
      const invalid = invalidMessage(typeof json.content === 'string' ? json.content : '', files.length);
      if (invalid !== undefined) return invalid;
      const reference = json.message_reference as { message_id?: string } | undefined;
      const message = this.storeMessage({
        channel,
        author: this.bot,
        content: typeof json.content === 'string' ? json.content : '',
        attachments: this.attachmentsFrom(channel.id, json, files, []),
        mentions: [],
        replyTo: reference?.message_id,
        extra: { allowedMentions: json.allowed_mentions },
      });
      this.dispatchMessage('MESSAGE_CREATE', message);
      return { status: 200, body: this.wire(message) };
    }
    if ((m = key.match(/^(GET|PATCH) \/channels\/(\d+)\/messages\/(\d+)$/)) !== null) {
      const message = this.messages.get(m[3] ?? '');
      if (message === undefined || message.channel_id !== m[2]) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
      if (m[1] === 'PATCH') {
        if (message.author.id !== this.bot.id) return { status: 403, body: { message: 'Cannot edit a message authored by another user', code: 50005 } };
        const invalid = invalidMessage(typeof json.content === 'string' ? json.content : message.content, files.length + message.attachments.length);
        if (invalid !== undefined) return invalid;
        this.editMessage(message, json, files);
      }
      return { status: 200, body: this.wire(message) };
    }
    if ((m = key.match(/^POST \/channels\/(\d+)\/messages\/(\d+)\/threads$/)) !== null) {
      const parent = this.channels.get(m[1] ?? '');
      const starter = this.messages.get(m[2] ?? '');
      if (parent === undefined || starter === undefined) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
      const thread: FakeChannel = {
        id: starter.id,
        type: 11,
        name: typeof json.name === 'string' ? json.name : 'thread',
        guild_id: parent.guild_id,
        parent_id: parent.id,
        owner_id: this.bot.id,
      };
      this.channels.set(thread.id, thread);
      this.guilds.get(parent.guild_id ?? '')?.channels.push(thread);
      this.gateway.dispatch('THREAD_CREATE', { ...channelPayload(thread), newly_created: true });
      return { status: 201, body: channelPayload(thread) };
    }
    if ((m = key.match(/^POST \/interactions\/(\d+)\/([^/]+)\/callback$/)) !== null) {
      const interaction = this.interactions.get(decodeURIComponent(m[2] ?? ''));
      if (interaction === undefined || interaction.id !== m[1]) return { status: 404, body: { message: 'Unknown interaction', code: 10062 } };
      if (interaction.callbacks.length > 0) return { status: 400, body: { message: 'Interaction has already been acknowledged.', code: 40060 } };
      const type = Number(json.type);
      const data = (json.data ?? {}) as Record<string, unknown>;
      interaction.callbacks.push({ type, data });
      const ephemeral = (Number(data.flags ?? 0) & 64) !== 0;
      const message = this.storeMessage({
        channel: this.channels.get(interaction.channelId) as FakeChannel,
        author: this.bot,
        content: type === 4 && typeof data.content === 'string' ? data.content : '',
        attachments: this.attachmentsFrom(interaction.channelId, data, files, []),
        mentions: [],
        type: 20,
        flags: (type === 5 ? 128 : 0) | (ephemeral ? 64 : 0),
        extra: {
          webhook_id: this.applicationId,
          application_id: this.applicationId,
          interaction_metadata: { id: interaction.id, type: 2, user: interaction.user, authorizing_integration_owners: {} },
          allowedMentions: data.allowed_mentions,
        },
      });
      interaction.originalMessageId = message.id;
      if (!ephemeral) this.dispatchMessage('MESSAGE_CREATE', message);
      if (query.get('with_response') !== 'true') return { status: 204 };
      return {
        status: 200,
        body: {
          interaction: { id: interaction.id, type: 2, response_message_id: message.id, response_message_loading: type === 5, response_message_ephemeral: ephemeral },
          resource: { type, message: this.wire(message) },
        },
      };
    }
    if ((m = key.match(/^(GET|PATCH) \/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/)) !== null) {
      const interaction = this.interactions.get(decodeURIComponent(m[3] ?? ''));
      const message = interaction?.originalMessageId === undefined ? undefined : this.messages.get(interaction.originalMessageId);
      if (m[2] !== this.applicationId || message === undefined) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
      if (m[1] === 'PATCH') {
        const invalid = invalidMessage(typeof json.content === 'string' ? json.content : message.content, files.length + message.attachments.length);
        if (invalid !== undefined) return invalid;
        message.flags &= ~128;
        this.editMessage(message, json, files);
      }
      return { status: 200, body: this.wire(message) };
    }
    if ((m = key.match(/^POST \/webhooks\/(\d+)\/([^/]+)$/)) !== null) {
      const interaction = this.interactions.get(decodeURIComponent(m[2] ?? ''));
      if (m[1] !== this.applicationId || interaction === undefined) return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
      const invalid = invalidMessage(typeof json.content === 'string' ? json.content : '', files.length);
      if (invalid !== undefined) return invalid;
      const message = this.storeMessage({
        channel: this.channels.get(interaction.channelId) as FakeChannel,
        author: this.bot,
        content: typeof json.content === 'string' ? json.content : '',
        attachments: this.attachmentsFrom(interaction.channelId, json, files, []),
        mentions: [],
        extra: { webhook_id: this.applicationId, application_id: this.applicationId, allowedMentions: json.allowed_mentions },
      });
      this.dispatchMessage('MESSAGE_CREATE', message);
      return { status: 200, body: this.wire(message) };
    }
    return undefined;
  }

  private wire(message: StoredMessage): Record<string, unknown> {
    const referenced = message.message_reference === undefined ? undefined : this.messages.get(message.message_reference.message_id);
    return messagePayload(message, referenced);
  }

  /** New attachments from `files[n]` parts (described by payload.attachments[{id: n}]) plus kept ones. */
  private attachmentsFrom(channelId: string, json: Record<string, unknown>, files: MultipartFile[], existing: FakeAttachment[]): FakeAttachment[] {
    const described = Array.isArray(json.attachments) ? (json.attachments as { id: string | number; filename?: string; description?: string }[]) : [];
    const kept = existing.filter((attachment) => described.some((d) => String(d.id) === attachment.id));
    const added = files.map((file) => {
      const index = /^files\[(\d+)\]$/.exec(file.field)?.[1] ?? file.field;
      const meta = described.find((d) => String(d.id) === index);
      const attachment = this.upload(channelId, { name: meta?.filename ?? file.name, data: file.data, contentType: file.contentType || undefined });
      return meta?.description === undefined ? attachment : { ...attachment, description: meta.description };
    });
    return [...kept, ...added];
  }

  private editMessage(message: StoredMessage, json: Record<string, unknown>, files: MultipartFile[]): void {
    if (typeof json.content === 'string') message.content = json.content;
    if (Array.isArray(json.attachments) || files.length > 0) message.attachments = this.attachmentsFrom(message.channel_id, json, files, message.attachments);
    if (json.allowed_mentions !== undefined) message.allowedMentions = json.allowed_mentions;
    message.edited_timestamp = new Date().toISOString();
    message.history.push(message.content);
    message.editTimes.push(Date.now());
    this.dispatchMessage('MESSAGE_UPDATE', message);
    this.changed();
  }
}
