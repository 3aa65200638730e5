import type { EventClaims } from '../../src/conversation/event-claims';
import { NoteBook } from '../../src/conversation/note-book';
import type { SharedNotes } from '../../src/conversation/shared-notes';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, Assistant, SocketModeReceiver } from '@slack/bolt';
import type { webApi } from '@slack/bolt';
import type { ReplySurface } from '../../src/bot/reply-surface';
import { TurnRunner } from '../../src/bot/turn-runner';
import type { Adapter, BotHandler, IncomingMessage } from '../../src/bot/types';
import type { SlackConfig } from './slack-config';
import { requireSlackCredentials } from './slack-config';
import type { Logger } from '../../src/logger-type';
import { silentLogger } from '../../src/engine/silent-logger';
import { LegoError } from '../../src/errors';
import { scrubText } from '../../src/logger';
import { boltLogger } from './bolt-logger';
import { BoundedLru } from '../../src/bounded-lru';
import { ignoreReason, isAllowed, isFollowUp } from './slack-access';
import type { SlackAllowLists } from './slack-access';
import { downloadSlackFile, slackAttachment } from './slack-file-attachment';
import type { SlackFile, SlackFileAccess } from './slack-file-attachment';
import { conversationKeyOf, questionText, replyTargetOf } from './slack-message-event';
import type { SlackMessageEvent, SlackReplyTarget } from './slack-message-event';
import { escapeMrkdwn, SLACK_SECTION_LIMIT } from './slack-mrkdwn';
import { slackSurface } from './slack-surface';
import { parseSlashCommand, slashHelp } from './slash-command';

export interface SlackAdapterOptions {
  /** the validated `slack` configuration section */
  config: SlackConfig;
  handler: BotHandler;
  logger?: Logger;
  /** more Web API client options (e.g. `retryConfig` in tests); `slackApiUrl` comes from the config */
  clientOptions?: Omit<webApi.WebClientOptions, 'slackApiUrl'>;
  /** fetch used for `url_private` downloads (default: global fetch) */
  fetchFn?: typeof fetch;
  /** how long `stop()` lets answers in flight finish before it cuts them (default 5000 ms) */
  stopTimeoutMs?: number;
  /** event de-duplication in the shared store, so a retry delivered to another instance is not answered twice */
  claims?: EventClaims;
  /** the configured store's notes (SQLite, Redis), so that another instance continues threads and follow-ups (default: in this process) */
  notes?: SharedNotes;
}

/** A user's latest conversation in a channel, with the message that brought its media (channel follow-ups). */
interface LatestConversation {
  key: string;
  threadTs: string | undefined;
  at: number;
  mediaTs?: string;
  mediaName?: string;
}

/** How many deliveries the adapter remembers to drop Slack's retries of them. */
const DELIVERY_MEMORY = 5000;

const SUGGESTED_PROMPTS = [
  { title: 'Find something in a picture', message: 'Where is the red star? (attach an image)' },
  { title: 'Find a moment in a video', message: 'When does the ball bounce? (attach a video)' },
  { title: 'What can you do?', message: 'help' },
];

interface Identity {
  userId: string | undefined;
  botId: string | undefined;
  teamId: string;
}

/**
 * Slack on @slack/bolt: mentions in channels, DMs, follow-ups in threads it answered in, the `/lego`
 * slash command and (when configured) Slack's assistant threads, over Socket Mode or HTTP (Events
 * API with signature verification). Each question goes to the one BotHandler; the answer goes back
 * into the thread as numbered mrkdwn plus the uploaded annotated image or timeline.
 */
export class SlackAdapter implements Adapter {
  readonly name = 'slack';
  private readonly config: SlackConfig;
  /** the one turn loop (src/bot/turn-runner.ts): streaming edits, error replies, shutdown drain */
  private readonly runner: TurnRunner;
  private readonly logger: Logger;
  private readonly app: App;
  private readonly botToken: string;
  private readonly fetchFn: typeof fetch | undefined;
  private readonly stopTimeoutMs: number;
  /** the deliveries already taken (Slack retries a delivery it thinks was lost) */
  private readonly deliveries = new BoundedLru<string, true>({ maxEntries: DELIVERY_MEMORY });
  private readonly claims: EventClaims | undefined;
  /**
   * in the configured store: the threads answered in (`thread:<key>`, follow-ups there need no mention),
   * each user's latest conversation per channel (`latest:<channel>:<user>`) and the latest message with an
   * image or a video per channel, whoever sent it (`media:<channel>`, "the last one in view")
   */
  private readonly notes: NoteBook;
  private readonly allow: SlackAllowLists;
  private identity: Identity = { userId: undefined, botId: undefined, teamId: '' };
  private server: Server | undefined;
  private readonly socketReceiver: SocketModeReceiver | undefined;
  private started = false;

  constructor(options: SlackAdapterOptions) {
    this.config = options.config;
    this.logger = options.logger ?? silentLogger;
    this.runner = new TurnRunner({ bot: options.handler, logger: this.logger, platform: 'slack' });
    this.fetchFn = options.fetchFn;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5000;
    this.claims = options.claims;
    this.notes = new NoteBook({ platform: 'slack', capacity: this.config.threadMemory, notes: options.notes, logger: this.logger });
    this.allow = { teams: this.config.allowedTeams, channels: this.config.allowedChannels, users: this.config.allowedUsers };
    const credentials = requireSlackCredentials(this.config);
    this.botToken = credentials.botToken;
    const common = {
      token: credentials.botToken,
      logger: boltLogger(this.logger),
      clientOptions: { ...options.clientOptions, slackApiUrl: this.config.apiUrl },
      deferInitialization: true,
      ignoreSelf: true,
    };
    if (this.config.mode === 'socket') {
      this.socketReceiver = new SocketModeReceiver({
        appToken: credentials.appToken ?? '',
        logger: common.logger,
        // the socket client opens its connection through apps.connections.open on the same Web API
        installerOptions: { clientOptions: { ...options.clientOptions, slackApiUrl: this.config.apiUrl } },
      });
      this.app = new App({ ...common, receiver: this.socketReceiver });
    } else {
      this.app = new App({
        ...common,
        signingSecret: credentials.signingSecret,
        endpoints: this.config.eventsPath,
        processBeforeResponse: false,
      });
    }
    this.register();
  }

  /** The HTTP receiver's port once started (http mode). */
  get port(): number | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address !== null ? (address as AddressInfo).port : undefined;
  }

  async start(): Promise<void> {
    if (this.started) return;
    try {
      await this.app.init();
      const auth = await this.app.client.auth.test();
      this.identity = { userId: auth.user_id, botId: auth.bot_id, teamId: auth.team_id ?? '' };
      if (this.config.mode === 'http') {
        this.server = (await this.app.start({ port: this.config.port, host: this.config.host })) as Server;
      } else {
        await this.app.start();
      }
    } catch (cause) {
      // the cause is left out on purpose: web-api errors can carry the request, token included
      const invalid = /invalid_auth|not_authed|token_revoked|account_inactive/.test(describeSlackError(cause));
      throw new LegoError('platform-error', `Slack adapter did not start: ${describeSlackError(cause)}`, { retryable: !invalid });
    }
    this.started = true;
    this.logger.info({ mode: this.config.mode, port: this.port, botUserId: this.identity.userId }, 'slack: started');
  }

  /**
   * Stop taking events, give answers in flight `stopTimeoutMs` to finish, cut the rest (their
   * pipeline call is aborted, their users told) within a moment more.
   */
  async stop(): Promise<void> {
    if (this.started) {
      this.started = false;
      const closed = this.socketClosed();
      await this.app.stop().catch((error: unknown) => this.logger.warn({ error: describeSlackError(error) }, 'slack: stop failed'));
      await closed;
    }
    const result = await this.runner.drain(this.stopTimeoutMs, 2000);
    if (result.cutOff > 0 || result.finished > 0) this.logger.info({ ...result }, 'slack: answers in progress at shutdown');
  }

  /**
   * Bolt's socket receiver resolves stop() before the close handshake ends; wait for it (at most 5 s),
   * so that nothing of the connection outlives stop().
   */
  private socketClosed(): Promise<void> {
    const client = this.socketReceiver?.client;
    if (client === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, 5000);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        client?.off('disconnected', done);
        resolve();
      }
      client.once('disconnected', done);
    });
  }

  private register(): void {
    if (this.config.assistant) this.registerAssistant();
    this.app.event('app_mention', async ({ event, body }) => {
      this.onMessage(event as unknown as SlackMessageEvent, teamOf(body, event), 'mention');
    });
    this.app.message(async ({ message, body }) => {
      this.onMessage(message as unknown as SlackMessageEvent, teamOf(body, message), 'message');
    });
    this.app.command(this.config.slashCommand, async ({ command, ack, respond }) => {
      await ack();
      await this.onSlash(command, respond);
    });
    this.app.error(async (error) => {
      this.logger.error({ error: describeSlackError(error) }, 'slack: unhandled listener error');
    });
  }

  private registerAssistant(): void {
    this.app.assistant(
      new Assistant({
        threadStarted: async ({ say, setSuggestedPrompts }) => {
          await say('Hi! Attach an image or a video and ask me about it — I point at what I talk about.');
          await setSuggestedPrompts({ title: 'Try one of these:', prompts: SUGGESTED_PROMPTS });
        },
        userMessage: async ({ message, body, setStatus, setTitle }) => {
          const event = message as unknown as SlackMessageEvent;
          const question = questionText(event.text, this.identity.userId);
          if (question !== '') await setTitle(question.slice(0, 80)).catch(() => undefined);
          this.onMessage(event, teamOf(body, message), 'assistant', (status) => setStatus(status));
        },
      }),
    );
  }

  private onMessage(
    event: SlackMessageEvent,
    teamId: string,
    via: 'mention' | 'message' | 'assistant',
    setStatus?: (status: string) => Promise<unknown>,
  ): void {
    this.route(event, teamId, via, setStatus).catch((error: unknown) => this.logger.error({ err: error }, 'slack: message handler failed'));
  }

  private async route(
    event: SlackMessageEvent,
    teamId: string,
    via: 'mention' | 'message' | 'assistant',
    setStatus?: (status: string) => Promise<unknown>,
  ): Promise<void> {
    const reason = ignoreReason(event, this.identity.userId, this.identity.botId);
    if (reason !== null) {
      this.logger.debug({ channel: event.channel, ts: event.ts, reason }, 'slack: ignored');
      return;
    }
    const media = (event.files ?? []).find((file) => /^(image|video)\//.test(file.mimetype ?? ''));
    if (media !== undefined) await this.notes.write(`media:${event.channel}`, event.ts);
    let target = replyTargetOf(event, teamId === '' ? this.identity.teamId : teamId);
    let key = conversationKeyOf(target);
    if (via === 'message') {
      const knownThread = event.thread_ts !== undefined && (await this.notes.read<boolean>(`thread:${key}`, true)) === true;
      if (!isFollowUp(event, this.identity.userId, () => knownThread, key)) return;
    }
    const now = Date.now();
    const who = `${event.channel}:${event.user ?? ''}`;
    const latest = target.isDm ? undefined : await this.notes.read<LatestConversation>(`latest:${who}`, false);
    let notice: string | undefined;
    if (
      via === 'mention' && event.thread_ts === undefined && !target.isDm && (event.files ?? []).length === 0 &&
      this.config.followUpWindowMs > 0 && latest !== undefined && now - latest.at <= this.config.followUpWindowMs
    ) {
      // a mention without files soon after: the same person's latest conversation here goes on, in its thread
      target = { ...target, threadTs: latest.threadTs };
      key = latest.key;
      const lastInView = await this.notes.read<string>(`media:${event.channel}`, false);
      if (latest.mediaTs !== undefined && lastInView !== undefined && lastInView !== latest.mediaTs) {
        notice = `I am answering about ${latest.mediaName ?? 'your image'} from your earlier message, not the latest image in this channel.`;
      }
    }
    if (!isAllowed(this.allow, target)) {
      this.logger.debug({ channel: event.channel, user: event.user, team: teamId }, 'slack: not on the allow lists');
      return;
    }
    // one answer per message: Slack retries deliveries, and a mention in a thread comes as two events
    const delivery = `${event.channel}:${event.ts}`;
    if (this.deliveries.has(delivery)) return;
    this.deliveries.set(delivery, true);
    if (this.claims !== undefined) {
      // another instance on the same store may have taken this delivery already (a retry sent elsewhere)
      let first = true;
      try {
        first = await this.claims.claim(`slack:${delivery}`, 60 * 60_000);
      } catch (error) {
        this.logger.warn({ err: error }, 'slack: could not check the delivery in the store; answering');
      }
      if (!first) {
        this.logger.debug({ delivery }, 'slack: taken by another instance');
        return;
      }
    }
    await this.take(event, target, key, notice, media, latest, who, now, setStatus);
  }

  private async take(
    event: SlackMessageEvent,
    target: SlackReplyTarget,
    key: string,
    notice: string | undefined,
    media: { name?: string } | undefined,
    latest: { key: string; mediaTs?: string; mediaName?: string } | undefined,
    who: string,
    now: number,
    setStatus?: (status: string) => Promise<unknown>,
  ): Promise<void> {
    const access = this.fileAccess();
    const message: IncomingMessage = {
      platform: 'slack',
      conversationKey: key,
      messageId: `${event.channel}:${event.ts}`,
      author: { id: event.user ?? '' },
      text: questionText(event.text, this.identity.userId),
      attachments: (event.files ?? []).map((file) => slackAttachment(file, access)),
      // an earlier file of the conversation, fetched again (by any instance: none may have it cached)
      fetchUrl: (url, options) => downloadSlackFile({ id: 'earlier', url_private: url }, access, options),
      ...(notice === undefined ? {} : { notice }),
    };
    if (!target.isDm) {
      const kept = latest !== undefined && latest.key === key ? { mediaTs: latest.mediaTs, mediaName: latest.mediaName } : {};
      const brought = media === undefined ? {} : { mediaTs: event.ts, mediaName: media.name ?? 'your image' };
      const entry: LatestConversation = { key, threadTs: target.threadTs, at: now, ...kept, ...brought };
      await this.notes.write(`latest:${who}`, entry);
    }
    await this.answer(target, key, message, setStatus);
  }

  private async onSlash(
    command: { text: string; team_id: string; channel_id: string; user_id: string; channel_name?: string },
    respond: (message: { response_type: 'ephemeral'; text: string }) => Promise<unknown>,
  ): Promise<void> {
    const isDm = command.channel_id.startsWith('D') || command.channel_name === 'directmessage';
    const where = { teamId: command.team_id, channel: command.channel_id, userId: command.user_id, isDm };
    const ephemeral = (text: string) => respond({ response_type: 'ephemeral', text }).catch((error: unknown) => {
      this.logger.warn({ error: describeSlackError(error) }, 'slack: slash command response failed');
    });
    if (!isAllowed(this.allow, where)) {
      await ephemeral('Sorry, I am not enabled here.');
      return;
    }
    const request = parseSlashCommand(command.text);
    if (request.kind === 'help') {
      await ephemeral(slashHelp(this.config.slashCommand));
      return;
    }
    if (request.kind === 'export') {
      // the conversation of this DM (or of the channel outside threads), answered with its files where it lives
      const target: SlackReplyTarget = { teamId: command.team_id, channel: command.channel_id, threadTs: undefined, userId: command.user_id, isDm };
      await this.answer(target, conversationKeyOf(target), {
        platform: 'slack',
        conversationKey: conversationKeyOf(target),
        messageId: `slash:${command.channel_id}:${Date.now()}`,
        author: { id: command.user_id },
        text: 'export',
        attachments: [],
      });
      return;
    }
    if (request.kind === 'reset' || request.kind === 'regions') {
      const key = conversationKeyOf({ teamId: command.team_id, channel: command.channel_id, threadTs: undefined });
      // answered privately: a surface that only sends, one ephemeral response per message
      const surface: ReplySurface = {
        limits: { maxMessageChars: SLACK_SECTION_LIMIT, editIntervalMs: 0, streamAfterMs: 0, typingIntervalMs: 0, maxUploadBytes: 0, growingMark: '' },
        send: async (message) => {
          await ephemeral(message.text);
          return '';
        },
        formatText: escapeMrkdwn,
        formatNotice: (line) => `_${line}_`,
      };
      const message: IncomingMessage = {
        platform: 'slack',
        conversationKey: key,
        messageId: `slash:${command.channel_id}:${Date.now()}`,
        author: { id: command.user_id },
        text: request.kind,
        attachments: [],
      };
      await this.runner.run(message, surface);
      return;
    }
    // ask: the question becomes a message of its own, answered in its thread (so follow-ups work)
    let threadTs: string | undefined;
    try {
      const posted = await this.app.client.chat.postMessage({
        channel: command.channel_id,
        text: `<@${command.user_id}> asked: ${escapeMrkdwn(request.question)}`,
      });
      threadTs = posted.ts;
    } catch (error) {
      this.logger.warn({ error: describeSlackError(error) }, 'slack: could not post the slash question');
      await ephemeral('I cannot post in this conversation: invite me to the channel first (`/invite @LEGO`).');
      return;
    }
    const target: SlackReplyTarget = { teamId: command.team_id, channel: command.channel_id, threadTs, userId: command.user_id, isDm };
    const key = conversationKeyOf(target);
    await this.answer(target, key, {
      platform: 'slack',
      conversationKey: key,
      messageId: `${command.channel_id}:${threadTs ?? ''}`,
      author: { id: command.user_id },
      text: request.question,
      attachments: [],
    });
  }

  private fileAccess(): SlackFileAccess {
    return {
      botToken: this.botToken,
      hosts: this.config.fileHosts,
      allowInsecure: this.config.allowInsecureFileHosts,
      fetchFn: this.fetchFn,
      fileInfo: async (id) => {
        const info = await this.app.client.files.info({ file: id });
        return info.file as SlackFile | undefined;
      },
    };
  }

  /** Answers in the thread through the one turn runner (it tracks the answer for shutdown); never awaited by the listener. */
  private async answer(target: SlackReplyTarget, key: string, message: IncomingMessage, setStatus?: (status: string) => Promise<unknown>): Promise<void> {
    await this.notes.write(`thread:${key}`, true);
    const surface = slackSurface(this.app.client, target, {
      streaming: this.config.streaming,
      intervalMs: this.config.updateIntervalMs,
      logger: this.logger,
      ...(setStatus === undefined ? {} : { setStatus }),
    });
    void this.runner.run(message, surface);
  }
}

function teamOf(body: unknown, event: unknown): string {
  const fromBody = (body as { team_id?: unknown }).team_id;
  if (typeof fromBody === 'string') return fromBody;
  const fromEvent = (event as { team?: unknown }).team;
  return typeof fromEvent === 'string' ? fromEvent : '';
}

/** A Slack error in words for the log: the API's error code, never request data (it may hold tokens). */
function describeSlackError(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  const code = (error as { code?: unknown } | undefined)?.code;
  const parts = [typeof code === 'string' ? code : undefined, typeof data?.error === 'string' ? data.error : undefined];
  const message = error instanceof Error ? error.message : String(error);
  return scrubText([...parts.filter((part) => part !== undefined), message].join(': '));
}
