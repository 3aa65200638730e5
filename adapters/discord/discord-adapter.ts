import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Partials } from 'discord.js';
import type { ClientOptions } from 'discord.js';
import { TurnRunner } from '../../src/bot/turn-runner';
import type { Adapter, BotHandler } from '../../src/bot/types';
import { requireDiscordToken } from './discord-config';
import type { DiscordConfig } from './discord-config';
import { silentLogger } from '../../src/engine/silent-logger';
import type { Logger } from '../../src/logger-type';
import type { AdapterContext } from './adapter-context';
import { ConversationMemory } from './conversation-memory';
import type { SharedNotes } from '../../src/conversation/shared-notes';
import { handleInteraction } from './interaction-turn';
import { NO_MENTIONS } from './message-payload';
import { handleMessage } from './message-turn';

/** The gateway intents the bot needs; MessageContent is privileged (switch it on in the Developer Portal). */
export const DISCORD_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
] as const;

export interface DiscordAdapterOptions {
  config: DiscordConfig;
  bot: BotHandler;
  logger?: Logger;
  /** extra discord.js client options (merged over the adapter's own; `rest.api` comes from the config) */
  clientOptions?: Partial<ClientOptions>;
  /** the configured store's notes (SQLite, Redis), so that another instance continues reply chains, bot threads and follow-ups (default: in this process) */
  notes?: SharedNotes;
  /** how long start() waits for the gateway to be ready (default 60 s) */
  readyTimeoutMs?: number;
}

/**
 * The Discord adapter: a discord.js client that turns mentions, DMs, thread and reply-chain messages
 * and `/lego` commands into pipeline calls, and the answers into Discord messages. discord.js resumes
 * or reconnects the gateway by itself; `stop()` lets answers in progress finish within
 * `shutdownGraceMs` and tells the others' users they were cut off.
 */
export class DiscordAdapter implements Adapter {
  readonly name = 'discord';
  readonly client: Client;
  private readonly context: AdapterContext;
  private readonly token: string;
  private stopping = false;
  private started = false;

  constructor(private readonly options: DiscordAdapterOptions) {
    const { config } = options;
    this.token = requireDiscordToken(config);
    const extra = options.clientOptions ?? {};
    this.client = new Client({
      intents: [...DISCORD_INTENTS],
      partials: [Partials.Channel],
      allowedMentions: { ...NO_MENTIONS, parse: [] },
      failIfNotExists: false,
      ...extra,
      rest: { ...extra.rest, api: config.api },
    });
    const logger = options.logger ?? silentLogger;
    this.context = {
      client: this.client,
      config,
      logger,
      memory: new ConversationMemory(config.conversationMemory, { logger, ...(options.notes === undefined ? {} : { notes: options.notes }) }),
      runner: new TurnRunner({ bot: options.bot, logger, platform: 'discord' }),
      download: { hosts: config.cdnHosts, allowInsecure: config.allowInsecureCdn },
      isStopping: () => this.stopping,
    };
  }

  /** The bot's user id once started. */
  get userId(): string | undefined {
    return this.client.user?.id;
  }

  /** Answers in progress right now. */
  get inFlight(): number {
    return this.context.runner.inFlight;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { logger } = this.context;
    const client = this.client;
    client.on(Events.MessageCreate, (message) => {
      handleMessage(this.context, message).catch((error: unknown) => logger.error({ err: error }, 'discord: message handler failed'));
    });
    client.on(Events.InteractionCreate, (interaction) => {
      handleInteraction(this.context, interaction).catch((error: unknown) => logger.error({ err: error }, 'discord: interaction handler failed'));
    });
    client.on(Events.Error, (error) => logger.error({ err: error }, 'discord: client error'));
    client.on(Events.Warn, (message) => logger.warn({ detail: message }, 'discord: warning'));
    client.on(Events.ShardError, (error, shard) => logger.warn({ err: error, shard }, 'discord: gateway error'));
    client.on(Events.ShardDisconnect, (event, shard) => logger.warn({ code: event.code, shard }, 'discord: gateway disconnected for good'));
    client.on(Events.ShardReconnecting, (shard) => logger.info({ shard }, 'discord: gateway reconnecting'));
    client.on(Events.ShardResume, (shard, replayed) => logger.info({ shard, replayed }, 'discord: gateway resumed'));
    const ready = once(client, Events.ClientReady, { signal: AbortSignal.timeout(this.options.readyTimeoutMs ?? 60_000) });
    try {
      await client.login(this.token);
      await ready;
    } catch (error) {
      ready.catch(() => undefined);
      await client.destroy();
      throw error;
    }
    logger.info({ user: client.user?.id, guilds: client.guilds.cache.size }, 'discord: ready');
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const result = await this.context.runner.drain(this.options.config.shutdownGraceMs);
    if (result.cutOff > 0 || result.finished > 0) this.context.logger.info({ ...result }, 'discord: answers in progress at shutdown');
    await this.client.destroy();
  }
}

export function createDiscordAdapter(options: DiscordAdapterOptions): DiscordAdapter {
  return new DiscordAdapter(options);
}
