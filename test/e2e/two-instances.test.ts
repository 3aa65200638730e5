/**
 * Two bot processes (`src/main.ts`, each its own node process) on one Redis: the web chat's uploads and
 * reply files live in the store, so a file uploaded to one is asked about on the other, and turns
 * alternate between them without losing the conversation (box 1 of an answer given by A is known to B).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import sharp from 'sharp';
import { readSse } from '../helpers/sse-reader';
import { sharedRedisUrl } from '../conversation/redis-server';

interface Instance {
  child: ChildProcess;
  address: string;
}

async function startInstance(namespace: string): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      LEGO_CONVERSATION_STORE: 'redis',
      LEGO_CONVERSATION_REDIS_URL: sharedRedisUrl(),
      LEGO_CONVERSATION_STORE_NAMESPACE: namespace,
      LEGO_WEB_PORT: '0',
      LEGO_ENGINE_BUNDLE: 'models/test-bundle',
      LEGO_ENGINE_GENERATION_MAX_NEW_TOKENS: '12',
      LEGO_ENGINE_THREADS: '1',
      LEGO_LOGGING_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address in 60 s: ${out} ${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /LEGO bot web chat: (http:\/\/\S+)/.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  return { child, address };
}

async function stop(instance: Instance | undefined): Promise<void> {
  if (instance === undefined || instance.child.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once('exit', resolve));
  instance.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (instance.child.exitCode === null) instance.child.kill('SIGKILL');
}

interface WebReplyEvent {
  text: string;
  error?: { code: string };
  boxes: { ref: number }[];
  files: { name: string; url: string; kind: string }[];
}

async function chat(base: string, conversation: string, text: string, uploads: string[] = []): Promise<WebReplyEvent> {
  const res = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ conversation, text, uploads }) });
  const events = (await readSse(res)).map((e) => JSON.parse(e) as Partial<WebReplyEvent>);
  return events.find((e) => Array.isArray(e.files)) as WebReplyEvent;
}

describe('two bot processes on one Redis', () => {
  let a: Instance | undefined;
  let b: Instance | undefined;
  afterAll(async () => {
    await stop(a);
    await stop(b);
  });

  test('upload on one, ask on the other; turns alternate; reply files are served by either', async () => {
    const namespace = `two-${Date.now()}`;
    [a, b] = await Promise.all([startInstance(namespace), startInstance(namespace)]);
    const png = await sharp({ create: { width: 120, height: 90, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
    const conversation = `two-${Date.now()}`;

    const up = await fetch(`${a.address}/api/uploads?conversation=${conversation}&name=red.png`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png });
    expect(up.status).toBe(201);
    const { id } = (await up.json()) as { id: string };

    // asked on B about the file uploaded to A
    const first = await chat(b.address, conversation, 'What is in this image?', [id]);
    expect(first.error).toBeUndefined();
    // the next turns alternate: the conversation (its media, its regions) is the same on both
    const second = await chat(a.address, conversation, 'regions');
    expect(second.error).toBeUndefined();
    const third = await chat(b.address, conversation, 'What colour is it?');
    expect(third.error).toBeUndefined();
    expect(third.text).not.toMatch(/I need an image/);
    const fourth = await chat(a.address, conversation, 'And the shape?');
    expect(fourth.text).not.toMatch(/I need an image|please send it again/i);

    // an export made on A is downloadable from B
    const exported = await chat(a.address, conversation, 'export');
    const md = exported.files.find((f) => f.name === 'conversation.md')!;
    const text = await (await fetch(new URL(md.url, b.address))).text();
    expect(text).toContain('**You:** What is in this image?');
    expect(text).toContain('**You:** What colour is it?');
    expect(text).toContain('**You:** And the shape?');

    // an upload id of another conversation is refused on either
    const other = await fetch(`${b.address}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ conversation: `${conversation}-other`, text: 'what is it?', uploads: [id] }),
    });
    expect(other.status).toBe(404);
    expect(await other.text()).toMatch(/expired/);
  }, 120_000);
});

describe('Slack event de-duplication in the store', () => {
  test('the same delivery reaching two instances on one Redis is answered once', async () => {
    const { createBot } = await import('../../src/bot/create-bot');
    const { openStoreBackend } = await import('../../src/conversation/store-backend');
    const { eventClaimsFrom } = await import('../../src/conversation/event-claims');
    const { testConfig } = await import('../helpers/bot-fixtures');
    const { FakeEngine } = await import('../helpers/fake-engine');
    const { startSlackHarness } = await import('../helpers/slack-fake/slack-harness');
    const settings = { idleTtlMs: 60_000, blobTtlMs: 60_000, maxBlobBytes: 1_000_000 };
    const store = { kind: 'redis', url: sharedRedisUrl(), namespace: `claims-${Date.now()}`, timeoutMs: 2_000, connectTimeoutMs: 2_000 } as never;
    const backends = [await openStoreBackend({ ...settings, store }), await openStoreBackend({ ...settings, store })];
    const bots = backends.map(() => createBot({ config: testConfig(), engine: new FakeEngine({ fallback: 'Hello.' }) }));
    const harnesses = await Promise.all(bots.map((bot, i) => startSlackHarness({ handler: bot, config: {}, fake: {}, claims: eventClaimsFrom(backends[i]!.leases) })));
    try {
      const event = (h: (typeof harnesses)[number]) => ({ type: 'app_mention', user: 'U000ALICE', text: `<@${h.slack.botUserId}> hello`, ts: '1700005000.000001', channel: 'C0000CHAN' });
      await harnesses[0]!.sendEvent(event(harnesses[0]!));
      await harnesses[1]!.sendEvent(event(harnesses[1]!), { retryNum: 1 });
      await harnesses[0]!.slack.waitFor(() => harnesses.some((h) => h.slack.messages.some((m) => m.text.includes('I need an image'))), 10_000, 'an answer');
      await new Promise((r) => setTimeout(r, 500));
      const answers = harnesses.flatMap((h) => h.slack.messages.filter((m) => m.text.includes('I need an image')));
      expect(answers).toHaveLength(1);
    } finally {
      for (const h of harnesses) await h.close();
      for (const bot of bots) await bot.close();
      for (const backend of backends) await backend.close();
    }
  }, 30_000);
});

describe('Discord across two instances on one Redis', () => {
  const TWO_BOXES = 'The red square [0.100, 0.200, 0.400, 0.500] is left of the blue square [0.550, 0.300, 0.900, 0.700].';

  test('a mention with an image answered by A; a channel follow-up and a reply to A\'s answer, delivered to B, continue that conversation', async () => {
    const { createBot } = await import('../../src/bot/create-bot');
    const { createConversationRuntime } = await import('../../src/conversation');
    const { testConfig } = await import('../helpers/bot-fixtures');
    const { FakeEngine } = await import('../helpers/fake-engine');
    const { startDiscordHarness } = await import('../helpers/discord-fake/discord-harness');
    const store = { kind: 'redis', url: sharedRedisUrl(), namespace: `discord-two-${Date.now()}` };
    const runtimes = [await createConversationRuntime({ store }), await createConversationRuntime({ store })];
    const engineA = new FakeEngine({ replies: [TWO_BOXES] });
    const engineB = new FakeEngine({ replies: ['Box 1 is a red square.', 'Box 2 is a blue square.'] });
    const botA = createBot({ config: testConfig(), engine: engineA, runtime: runtimes[0]! });
    const botB = createBot({ config: testConfig(), engine: engineB, runtime: runtimes[1]! });
    const h = await startDiscordHarness({ handler: botA, notes: runtimes[0]!.backend.notes });
    try {
      const { fake, general, alice } = h;
      const answers = () => fake.botMessages(general.id);
      const png = await sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
      fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'where are the squares?', attachments: [{ name: 'shapes.png', data: png, contentType: 'image/png' }] });
      const first = await fake.waitFor(() => answers().find((m) => m.content.includes('[2]')), 15_000, 'A\'s answer');
      expect(engineA.calls).toHaveLength(1);

      // instance B logs in: from now on the gateway delivers to B, which never saw the first message
      await h.startInstance({ handler: botB, notes: runtimes[1]!.backend.notes });
      fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'what is in box 1?' });
      const follow = await fake.waitFor(() => answers().find((m) => m.content.includes('Box 1 is a red square')), 15_000, 'B\'s follow-up answer');
      expect(follow.content).not.toMatch(/I need an image/);
      expect(engineA.calls).toHaveLength(1);
      expect(engineB.calls[0]!.request.turns).toHaveLength(3);
      expect(engineB.calls[0]!.request.turns.at(-1)!.text).toBe('What is in [0.100, 0.200, 0.400, 0.500]?');

      // a reply to A's answer, on B: the same conversation goes on (five turns, box 2 known)
      fake.sendMessage({ channelId: general.id, author: alice, content: 'and box 2?', replyTo: first.id });
      await fake.waitFor(() => answers().find((m) => m.content.includes('Box 2 is a blue square')), 15_000, 'B\'s answer to the reply');
      expect(engineB.calls[1]!.request.turns).toHaveLength(5);
      expect(engineB.calls[1]!.request.turns.at(-1)!.text).toContain('[0.550, 0.300, 0.900, 0.700]');
    } finally {
      await h.close();
      await botA.close();
      await botB.close();
      for (const runtime of runtimes) await runtime.close();
    }
  }, 60_000);
});

describe('Slack across two instances on one Redis', () => {
  const TWO_BOXES = 'The red square [0.100, 0.200, 0.400, 0.500] is left of the blue square [0.550, 0.300, 0.900, 0.700].';

  test('a mention with an image answered by A; a thread follow-up (no mention) and a channel follow-up, delivered to B, continue that conversation', async () => {
    const { createBot } = await import('../../src/bot/create-bot');
    const { createConversationRuntime } = await import('../../src/conversation');
    const { testConfig } = await import('../helpers/bot-fixtures');
    const { FakeEngine } = await import('../helpers/fake-engine');
    const { startSlackHarness } = await import('../helpers/slack-fake/slack-harness');
    const store = { kind: 'redis', url: sharedRedisUrl(), namespace: `slack-two-${Date.now()}` };
    const runtimes = [await createConversationRuntime({ store }), await createConversationRuntime({ store })];
    const engineA = new FakeEngine({ replies: [TWO_BOXES] });
    const engineB = new FakeEngine({ replies: ['Box 1 is a red square.', 'Box 2 is a blue square.'] });
    const bots = [createBot({ config: testConfig(), engine: engineA, runtime: runtimes[0]! }), createBot({ config: testConfig(), engine: engineB, runtime: runtimes[1]! })];
    // one workspace (one fake Slack), two bot instances, each its own events URL
    const a = await startSlackHarness({ handler: bots[0]!, config: {}, fake: {}, notes: runtimes[0]!.backend.notes });
    const b = await startSlackHarness({ handler: bots[1]!, config: {}, slack: a.slack, notes: runtimes[1]!.backend.notes });
    try {
      const png = await sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
      const file = a.slack.addFile(png, { name: 'shapes.png', mimetype: 'image/png' });
      await a.sendEvent({ type: 'app_mention', user: 'U000ALICE', text: `<@${a.slack.botUserId}> where are the squares?`, ts: '1700006000.000001', channel: 'C0000CHAN', files: [file] });
      await a.slack.waitFor(() => a.slack.thread('C0000CHAN', '1700006000.000001').some((m) => m.text.includes('[2]')), 10_000, 'A\'s answer');

      // in A's thread, without a mention, delivered to B: B knows the bot answers in that thread
      await b.sendEvent({ type: 'message', channel_type: 'channel', user: 'U000ALICE', text: 'what is in box 1?', ts: '1700006000.000002', thread_ts: '1700006000.000001', channel: 'C0000CHAN' });
      await b.slack.waitFor(() => b.slack.thread('C0000CHAN', '1700006000.000001').some((m) => m.text.includes('Box 1 is a red square')), 10_000, 'B\'s thread answer');
      expect(engineB.calls[0]!.request.turns).toHaveLength(3);
      expect(engineB.calls[0]!.request.turns.at(-1)!.text).toBe('What is in [0.100, 0.200, 0.400, 0.500]?');

      // a plain mention at the top of the channel, on B: alice's latest conversation goes on in its thread
      await b.sendEvent({ type: 'app_mention', user: 'U000ALICE', text: `<@${b.slack.botUserId}> and box 2?`, ts: '1700006000.000003', channel: 'C0000CHAN' });
      await b.slack.waitFor(() => b.slack.thread('C0000CHAN', '1700006000.000001').some((m) => m.text.includes('Box 2 is a blue square')), 10_000, 'B\'s channel follow-up');
      expect(engineB.calls[1]!.request.turns).toHaveLength(5);
      expect(engineA.calls).toHaveLength(1);
    } finally {
      await b.close();
      await a.close();
      for (const bot of bots) await bot.close();
      for (const runtime of runtimes) await runtime.close();
    }
  }, 60_000);
});
