/**
 * One Slack end-to-end setup: a FakeSlack, the real SlackAdapter (bolt App, HTTP mode on a free
 * loopback port) wired to a BotHandler, and helpers that deliver signed events to it.
 */
import { SlackAdapter } from '../../../adapters/slack/slack-adapter';
import type { SlackAdapterOptions } from '../../../adapters/slack/slack-adapter';
import type { BotHandler } from '../../../src/bot/types';
import { SlackConfigSchema } from '../../../adapters/slack/slack-config';
import type { SlackConfig } from '../../../adapters/slack/slack-config';
import type { Logger } from '../../../src/logger-type';
import { FakeSlack } from './fake-slack';
import type { FakeSlackOptions } from './fake-slack';
import { deliver, eventEnvelope } from './signed-delivery';

export const TEST_BOT_TOKEN = 'xoxb-1111-2222-fakebottoken';
export const TEST_SIGNING_SECRET = 'fake-signing-secret-0123456789';

export interface SlackHarness {
  slack: FakeSlack;
  adapter: SlackAdapter;
  eventsUrl: string;
  /** what the adapter logged (to prove no token leaks) */
  logLines: string[];
  /** POST an `event_callback` with `event`, signed */
  sendEvent(event: Record<string, unknown>, options?: { retryNum?: number; eventId?: string; secret?: string }): Promise<Response>;
  /** POST a slash command, signed */
  sendCommand(text: string, extra?: Record<string, unknown>): Promise<Response>;
  close(): Promise<void>;
}

export interface SlackHarnessOptions {
  handler: BotHandler;
  fake?: Partial<FakeSlackOptions>;
  config?: Partial<SlackConfig>;
  /** the adapter's stop grace (default its own) */
  stopTimeoutMs?: number;
  /** event de-duplication shared with other adapters (a store's), see SlackAdapterOptions.claims */
  claims?: SlackAdapterOptions['claims'];
  /** the adapter's notes between turns shared with other adapters (a store's), see SlackAdapterOptions.notes */
  notes?: SlackAdapterOptions['notes'];
  /** another harness's fake Slack (one workspace, two bot instances); it is not stopped by this harness's close */
  slack?: FakeSlack;
}

function recordingLogger(lines: string[]): Logger {
  const log = (level: string) => (details: Record<string, unknown> | string, message?: string) => {
    lines.push(`${level} ${typeof details === 'string' ? details : `${message ?? ''} ${JSON.stringify(details)}`}`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } as Logger;
}

export async function startSlackHarness(options: SlackHarnessOptions): Promise<SlackHarness> {
  const owned = options.slack === undefined;
  const slack = options.slack ?? new FakeSlack({ botToken: TEST_BOT_TOKEN, ...options.fake });
  if (owned) await slack.start();
  const logLines: string[] = [];
  const config = SlackConfigSchema.parse({
    botToken: TEST_BOT_TOKEN,
    signingSecret: TEST_SIGNING_SECRET,
    mode: 'http',
    host: '127.0.0.1',
    port: 0,
    apiUrl: slack.apiUrl,
    fileHosts: [slack.host],
    allowInsecureFileHosts: true,
    updateIntervalMs: 250,
    ...options.config,
  });
  const adapter = new SlackAdapter({
    config,
    handler: options.handler,
    logger: recordingLogger(logLines),
    clientOptions: { retryConfig: { retries: 3, factor: 1, minTimeout: 20, maxTimeout: 50 } },
    stopTimeoutMs: options.stopTimeoutMs,
    ...(options.claims === undefined ? {} : { claims: options.claims }),
    ...(options.notes === undefined ? {} : { notes: options.notes }),
  });
  await adapter.start();
  const eventsUrl = `http://127.0.0.1:${adapter.port ?? 0}${config.eventsPath}`;
  return {
    slack,
    adapter,
    eventsUrl,
    logLines,
    sendEvent: (event, extra = {}) =>
      deliver(eventsUrl, eventEnvelope(slack.teamId, { team: slack.teamId, ...event }, extra.eventId), {
        secret: extra.secret ?? TEST_SIGNING_SECRET,
        retryNum: extra.retryNum,
      }),
    sendCommand: (text, extra = {}) =>
      deliver(
        eventsUrl,
        {
          command: config.slashCommand,
          text,
          team_id: slack.teamId,
          channel_id: 'C0000CHAN',
          channel_name: 'general',
          user_id: 'U000ALICE',
          user_name: 'alice',
          response_url: `${slack.baseUrl}/respond/${Date.now()}`,
          trigger_id: 'trigger-1',
          api_app_id: 'A00000001',
          ...extra,
        },
        { secret: TEST_SIGNING_SECRET, form: true },
      ),
    close: async () => {
      await adapter.stop();
      if (owned) await slack.stop();
    },
  };
}
