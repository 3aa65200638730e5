/**
 * Per-user limits on every surface: questions per minute and media bytes per day, counted in the
 * conversation store (so two bots on one Redis share them), a polite reply when reached, the figures in
 * the bot's Prometheus metrics (served by the web adapter at /metrics).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { WebAdapter } from '../../adapters/web';
import type { Bot } from '../../src/bot/bot';
import { createBot } from '../../src/bot/create-bot';
import type { IncomingMessage } from '../../src/bot/types';
import { runCli } from '../../src/cli/program';
import type { CliIo } from '../../src/cli/cli-io';
import { createConversationRuntime } from '../../src/conversation';
import { openStoreBackend } from '../../src/conversation/store-backend';
import { MemoryUsageCounters } from '../../src/conversation/usage-counters';
import { testConfig } from '../helpers/bot-fixtures';
import { startDiscordHarness } from '../helpers/discord-fake/discord-harness';
import type { DiscordHarness } from '../helpers/discord-fake/discord-harness';
import { FakeEngine } from '../helpers/fake-engine';
import { httpRequest } from '../helpers/http-client';
import { startSlackHarness } from '../helpers/slack-fake/slack-harness';
import type { SlackHarness } from '../helpers/slack-fake/slack-harness';
import { readSse } from '../helpers/sse-reader';
import { sharedRedisUrl } from '../conversation/redis-server';

const BOX = 'The red square [0.100, 0.200, 0.400, 0.500].';
const TURNS_WORDS = /You have asked me a question this minute, which is as many as I take from one person\. Please wait \d+ seconds? and ask again\./;

async function shapesPng(): Promise<Buffer> {
  return sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 240, g: 30, b: 30 } } }).png().toBuffer();
}

function message(text: string, author = 'alice', platform: IncomingMessage['platform'] = 'discord'): IncomingMessage {
  return { platform, conversationKey: `${platform}:c:${author}`, messageId: String(Math.random()), author: { id: author }, text, attachments: [] };
}

describe('per-user limits', () => {
  let png: Buffer;
  beforeAll(async () => {
    png = await shapesPng();
  });

  test('the counters: a new window starts a new count; a negative add gives back', async () => {
    let now = 1_000;
    const counters = new MemoryUsageCounters({ now: () => now });
    await expect(counters.add('a', 2, 100)).resolves.toBe(2);
    await expect(counters.add('a', 3, 100)).resolves.toBe(5);
    await expect(counters.add('a', -3, 100)).resolves.toBe(2);
    now += 100;
    await expect(counters.get('a')).resolves.toBe(0);
    await expect(counters.add('a', 1, 100)).resolves.toBe(1);
  });

  test('the SQLite and Redis counters add atomically and expire', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lego-usage-'));
    const settings = { idleTtlMs: 60_000, blobTtlMs: 60_000, maxBlobBytes: 1_000_000 };
    const backends = [
      await openStoreBackend({ ...settings, store: { kind: 'sqlite', path: join(dir, 'lego.sqlite'), namespace: 'lego', timeoutMs: 5_000, busyTimeoutMs: 5_000 } as never }),
      await openStoreBackend({ ...settings, store: { kind: 'redis', url: sharedRedisUrl(), namespace: `usage-${Date.now()}`, timeoutMs: 5_000, connectTimeoutMs: 2_000 } as never }),
    ];
    try {
      for (const { counters } of backends) {
        const results = await Promise.all(Array.from({ length: 10 }, () => counters.add('k', 3, 300)));
        expect(Math.max(...results)).toBe(30);
        await expect(counters.get('k')).resolves.toBe(30);
        await expect(counters.add('k', -5, 300)).resolves.toBe(25);
        await new Promise((r) => setTimeout(r, 350));
        await expect(counters.get('k')).resolves.toBe(0);
        await expect(counters.add('k', 1, 300)).resolves.toBe(1);
      }
    } finally {
      for (const backend of backends) await backend.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('two bots on one Redis share the count; another user is not limited; the figures are in the metrics', async () => {
    const overrides = {
      conversation: { store: { kind: 'redis' as const, url: sharedRedisUrl(), namespace: `limits-${Date.now()}` } },
      limits: { turnsPerMinute: 2 },
    };
    const config = testConfig(overrides);
    const runtimes = [await createConversationRuntime(config.conversation), await createConversationRuntime(config.conversation)];
    const bots = runtimes.map((runtime) => createBot({ config, engine: new FakeEngine({ fallback: BOX }), runtime }));
    try {
      const user = `u${Date.now()}`;
      const first = await bots[0]!.handle(message('hello', user));
      const second = await bots[1]!.handle(message('hello again', user));
      const third = await bots[0]!.handle(message('and again', user));
      expect(first.error).toBeUndefined();
      expect(second.error).toBeUndefined();
      expect(third.error).toEqual({ code: 'limit-reached', retryable: true });
      expect(third.text).toMatch(/You have asked me 2 questions this minute/);
      const other = await bots[1]!.handle(message('hello', `${user}-bob`));
      expect(other.error).toBeUndefined();
      // commands do not count
      expect((await bots[1]!.handle(message('help', user))).error).toBeUndefined();
      const metrics = await bots[0]!.metrics.registry.metrics();
      expect(metrics).toMatch(/lego_bot_limit_refusals_total\{platform="discord",limit="turns"\} 1/);
      expect(metrics).toMatch(/lego_bot_limit\{limit="turns_per_minute"\} 2/);
    } finally {
      for (const bot of bots) await bot.close();
      for (const runtime of runtimes) await runtime.close();
    }
  });

  describe('Discord (discord.js against the local fake)', () => {
    let h: DiscordHarness | undefined;
    let bot: Bot | undefined;
    afterEach(async () => {
      await h?.close();
      await bot?.close();
    });

    test('a second question within the minute gets the polite limit reply; another user still gets answers', async () => {
      bot = createBot({ config: testConfig({ limits: { turnsPerMinute: 1 } }), engine: new FakeEngine({ fallback: BOX }) });
      h = await startDiscordHarness({ handler: bot });
      const { fake, general, alice } = h;
      fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'where is it?', attachments: [{ name: 'a.png', data: png, contentType: 'image/png' }] });
      await fake.waitFor(() => fake.botMessages(general.id).find((m) => m.content.includes('[1]')), 15_000, 'the answer');
      fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'and now?' });
      const refused = await fake.waitFor(() => fake.botMessages(general.id).find((m) => TURNS_WORDS.test(m.content)), 15_000, 'the limit reply');
      expect(refused.attachments).toHaveLength(0);
      const bob = fake.user('bob');
      fake.sendMessage({ channelId: general.id, author: bob, mentionBot: true, content: 'mine?', attachments: [{ name: 'b.png', data: png, contentType: 'image/png' }] });
      await fake.waitFor(() => fake.botMessages(general.id).filter((m) => m.content.includes('[1]')).length === 2 || undefined, 15_000, 'bob answered');
    });

    test('an image over the daily media budget is refused politely and not used', async () => {
      const engine = new FakeEngine({ fallback: BOX });
      bot = createBot({ config: testConfig({ limits: { mediaBytesPerDay: png.length - 1 } }), engine });
      h = await startDiscordHarness({ handler: bot });
      const { fake, general, alice } = h;
      fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'where?', attachments: [{ name: 'a.png', data: png, contentType: 'image/png' }] });
      const refused = await fake.waitFor(() => fake.botMessages(general.id).find((m) => /of images and videos I accept from one person per day/.test(m.content)), 15_000, 'the media limit reply');
      expect(refused.content).toMatch(/Please send a smaller one, or try again in \d+ (hours|minutes)/);
      expect(engine.calls).toHaveLength(0);
      expect(await bot.metrics.registry.metrics()).toMatch(/lego_bot_limit_refusals_total\{platform="discord",limit="media"\} 1/);
    });
  });

  describe('Slack (bolt against the local fake)', () => {
    let harness: SlackHarness | undefined;
    let bot: Bot | undefined;
    afterEach(async () => {
      await harness?.close();
      await bot?.close();
    });

    test('the second mention within the minute gets the polite limit reply in its thread', async () => {
      bot = createBot({ config: testConfig({ limits: { turnsPerMinute: 1 } }), engine: new FakeEngine({ fallback: BOX }) });
      harness = await startSlackHarness({ handler: bot, config: {}, fake: {} });
      const slack = harness.slack;
      const file = slack.addFile(png, { name: 'a.png', mimetype: 'image/png' });
      await harness.sendEvent({ type: 'app_mention', user: 'U000ALICE', text: `<@${slack.botUserId}> where?`, ts: '1700002000.000001', channel: 'C0000CHAN', files: [file] });
      await slack.waitFor(() => slack.messages.some((m) => m.text.includes('[1]')), 10_000, 'the answer');
      await harness.sendEvent({ type: 'app_mention', user: 'U000ALICE', text: `<@${slack.botUserId}> again?`, ts: '1700002000.000002', channel: 'C0000CHAN' });
      // a plain mention soon after continues the first conversation, in its thread
      await slack.waitFor(() => slack.thread('C0000CHAN', '1700002000.000001').some((m) => TURNS_WORDS.test(m.text)), 10_000, 'the limit reply');
    });
  });

  test('web: the limit reply comes as the chat reply (code limit-reached) and /metrics shows the refusal', async () => {
    const config = testConfig({ limits: { turnsPerMinute: 1 } });
    const bot = createBot({ config, engine: new FakeEngine({ fallback: BOX }) });
    const web = new WebAdapter({ bot, metrics: bot.metrics.registry }, { host: '127.0.0.1', port: 0 });
    await web.start();
    try {
      const ask = async (text: string) => {
        const res = await fetch(`${web.address}/api/chat`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ conversation: 'limits-web-1', text }) });
        const events = await readSse(res);
        return events.map((e) => JSON.parse(e) as { text?: string; error?: { code: string } }).find((e) => e.error !== undefined || e.text !== undefined && 'notices' in e);
      };
      const first = await ask('hello');
      expect(first?.error?.code).not.toBe('limit-reached');
      const second = await ask('hello again');
      expect(second?.error?.code).toBe('limit-reached');
      expect(second?.text).toMatch(TURNS_WORDS);
      const metrics = await httpRequest(web.address, '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/lego_bot_limit_refusals_total\{platform="web",limit="turns"\} 1/);
      expect(metrics.text).toMatch(/lego_bot_user_turns_total\{platform="web"\} 2/);
    } finally {
      await web.stop();
      await bot.close();
    }
  });

  test('CLI chat: LEGO_LIMITS_TURNS_PER_MINUTE=1 answers the first question and says why not the second; the chat goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lego-limits-cli-'));
    try {
      writeFileSync(join(dir, 'a.png'), png);
      let out = '';
      let err = '';
      const io: CliIo = {
        stdout: { write: (text: string) => (out += text) },
        stderr: { write: (text: string) => (err += text) },
        stdin: Readable.from([`/image ${join(dir, 'a.png')} where is it?\n`, 'and now?\n', '/help\n', '/quit\n']),
        interactive: false,
        cwd: dir,
      };
      const env = { LEGO_ENGINE_BUNDLE: 'models/test-bundle', LEGO_ENGINE_GENERATION_MAX_NEW_TOKENS: '8', LEGO_ENGINE_THREADS: '1', LEGO_LIMITS_TURNS_PER_MINUTE: '1' };
      const code = await runCli(['chat'], io, { env });
      expect(code).toBe(0);
      expect(`${out}\n${err}`).toMatch(TURNS_WORDS);
      expect(out).toMatch(/reset/i); // /help still answered after the refusal
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
