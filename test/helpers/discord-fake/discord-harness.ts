import type { BotHandler } from '../../../src/bot/types';
import type { DiscordConfig } from '../../../adapters/discord/discord-config';
import type { Logger } from '../../../src/logger-type';
import type { SharedNotes } from '../../../src/conversation/shared-notes';
import { DiscordAdapter } from '../../../adapters/discord/discord-adapter';
import { appConfig } from '../bot-fixtures';
import { FakeDiscord } from './fake-discord';
import type { FakeChannel, FakeGuild, FakeUser } from './payloads';

export interface DiscordHarness {
  fake: FakeDiscord;
  adapter: DiscordAdapter;
  guild: FakeGuild;
  general: FakeChannel;
  /** a channel on the deny list */
  secret: FakeChannel;
  alice: FakeUser;
  /** every log line the adapter wrote (JSON), to check that no token leaks */
  logLines: string[];
  /**
   * Another bot instance (another DiscordAdapter, its own discord.js client) logged in to the same fake:
   * from its READY on, the fake's gateway sends new events to it (the latest session), not to `adapter`.
   * Stopped by `close()`.
   */
  startInstance(options: { handler: BotHandler; notes?: SharedNotes }): Promise<DiscordAdapter>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  handler: BotHandler;
  /** discord settings over the harness's own */
  config?: Partial<DiscordConfig>;
  /** called before the adapter starts (add guilds, roles…) */
  beforeStart?: (fake: FakeDiscord, guild: FakeGuild) => void;
  /** the adapter's notes between turns (default: in its process), e.g. a Redis store's shared by two instances */
  notes?: SharedNotes;
}

function recordingLogger(lines: string[]): Logger {
  const log =
    (level: string) =>
    (first: Record<string, unknown> | string, message?: string): void => {
      const entry = typeof first === 'string' ? { level, msg: first } : { level, ...first, msg: message };
      lines.push(JSON.stringify(entry, (_key, value: unknown) => (value instanceof Error ? { message: value.message, stack: value.stack } : value)));
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/**
 * A fake Discord with one server ("LEGO lab": #general, #secret on the deny list) and the real
 * DiscordAdapter (real discord.js client) logged in to it, with `handler` as the pipeline.
 */
export async function startDiscordHarness(options: HarnessOptions): Promise<DiscordHarness> {
  const fake = await FakeDiscord.start();
  const world = fake.addGuild({ name: 'LEGO lab', channels: ['general', 'secret', 'other'], roles: ['robots-banned'] });
  const general = world.channel('general');
  const secret = world.channel('secret');
  options.beforeStart?.(fake, world.guild);
  const logLines: string[] = [];
  const config = appConfig({
    discord: {
      token: fake.token,
      api: fake.apiBase,
      cdnHosts: [fake.cdnHost],
      allowInsecureCdn: true,
      editIntervalMs: 500,
      shutdownGraceMs: 2000,
      deny: { guilds: [], channels: [secret.id], users: [], roles: [world.role('robots-banned')] },
      ...options.config,
    },
  }).discord;
  const adapter = new DiscordAdapter({
    config,
    bot: options.handler,
    logger: recordingLogger(logLines),
    readyTimeoutMs: 20_000,
    ...(options.notes === undefined ? {} : { notes: options.notes }),
  });
  const others: DiscordAdapter[] = [];
  try {
    await adapter.start();
  } catch (error) {
    await fake.stop();
    throw error;
  }
  return {
    fake,
    adapter,
    guild: world.guild,
    general,
    secret,
    alice: fake.user('alice'),
    logLines,
    async startInstance(more) {
      const other = new DiscordAdapter({
        config,
        bot: more.handler,
        logger: recordingLogger(logLines),
        readyTimeoutMs: 20_000,
        ...(more.notes === undefined ? {} : { notes: more.notes }),
      });
      others.push(other);
      await other.start();
      return other;
    },
    async close() {
      for (const other of others) await other.stop().catch(() => undefined);
      await adapter.stop().catch(() => undefined);
      await fake.stop();
    },
  };
}
