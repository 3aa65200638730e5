/**
 * The Discord adapter end to end: the real discord.js client (REST + gateway) logged in to a local
 * fake Discord, with the real pipeline (createBot with a FakeEngine).
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Bot } from '../../src/bot/bot';
import { createBot } from '../../src/bot/create-bot';
import type { LegoConfigInput } from '../../src/config/schema';
import { testConfig } from '../helpers/bot-fixtures';
import { startDiscordHarness } from '../helpers/discord-fake/discord-harness';
import type { DiscordHarness, HarnessOptions } from '../helpers/discord-fake/discord-harness';
import type { StoredMessage } from '../helpers/discord-fake/payloads';
import { FakeEngine } from '../helpers/fake-engine';
import type { FakeReply } from '../helpers/fake-engine';
import { frameNumberVideo } from '../media/video-fixtures';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const TWO_BOXES = 'The red square [0.100, 0.200, 0.400, 0.500] is left of the blue square [0.550, 0.300, 0.900, 0.700].';

async function shapesPng(): Promise<Buffer> {
  return sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 240, g: 240, b: 240 } } })
    .composite([
      { input: { create: { width: 40, height: 40, channels: 3, background: { r: 220, g: 30, b: 30 } } }, left: 20, top: 30 },
      { input: { create: { width: 40, height: 40, channels: 3, background: { r: 30, g: 30, b: 220 } } }, left: 100, top: 40 },
    ])
    .png()
    .toBuffer();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('Discord adapter end to end (discord.js against a local fake Discord, real pipeline)', () => {
  let h: DiscordHarness | undefined;
  let bot: Bot | undefined;
  let engine: FakeEngine;
  let png: Buffer;
  let dir: string;

  beforeAll(async () => {
    png = await shapesPng();
    dir = mkdtempSync(join(tmpdir(), 'lego-discord-e2e-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function setUp(options: Partial<HarnessOptions> = {}, pipeline: LegoConfigInput = {}, replies: FakeReply[] = [TWO_BOXES]): Promise<DiscordHarness> {
    engine = new FakeEngine({ replies });
    bot = createBot({ config: testConfig(pipeline), engine });
    h = await startDiscordHarness({ handler: bot, ...options });
    return h;
  }

  afterEach(async () => {
    await h?.close();
    await bot?.close();
    h = undefined;
    bot = undefined;
  });

  function answered(channelId: string, predicate: (m: StoredMessage) => boolean = () => true, what = 'an answer from the bot'): Promise<StoredMessage> {
    const fake = h!.fake;
    return fake.waitFor(() => fake.botMessages(channelId).find(predicate), 15_000, what);
  }

  it('answers a mention with an image: numbered text and the annotated PNG as an attachment, pinging no one', async () => {
    const { fake, general, alice, logLines } = await setUp();
    const question = fake.sendMessage({
      channelId: general.id,
      author: alice,
      mentionBot: true,
      content: 'where are the shapes?',
      attachments: [{ name: 'shapes.png', data: png, contentType: 'image/png' }],
    });
    const reply = await answered(general.id, (m) => m.attachments.length > 0);
    expect(reply.content).toContain('[1]');
    expect(reply.content).toContain('[2]');
    expect(reply.content).not.toMatch(/0\.100/);
    expect(reply.message_reference?.message_id).toBe(question.id);
    const [file] = fake.filesOf(reply);
    expect(file?.data.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect((await sharp(file?.data).metadata()).format).toBe('png');
    expect(file?.attachment.filename).toMatch(/\.png$/);
    // the question reached the pipeline without the mention; the image came from the (fake) CDN once
    expect(engine.calls).toHaveLength(1);
    expect(engine.calls[0]?.request.turns.at(-1)?.text).toBe('where are the shapes?');
    expect(fake.cdnDownloads).toHaveLength(1);
    // pings no one, shows typing, uses only routes Discord has
    for (const message of fake.botMessages()) expect(message.allowedMentions).toEqual({ parse: [], replied_user: false });
    expect(fake.typing.get(general.id) ?? 0).toBeGreaterThanOrEqual(1);
    expect(fake.unknownRoutes).toEqual([]);
    // the token went only into Authorization headers
    expect(JSON.stringify([...fake.messages.values()])).not.toContain(fake.token);
    expect(logLines.join('\n')).not.toContain(fake.token);
  });

  it('opens a thread for a new conversation and answers a follow-up about box 2 there without a mention, in the same conversation', async () => {
    const { fake, general, alice } = await setUp({ config: { createThreads: true } });
    const question = fake.sendMessage({
      channelId: general.id,
      author: alice,
      mentionBot: true,
      content: 'where are the shapes?',
      attachments: [{ name: 'shapes.png', data: png, contentType: 'image/png' }],
    });
    // Discord gives a thread started from a message the message's id
    const threadId = question.id;
    const first = await answered(threadId, (m) => m.attachments.length > 0, 'the answer in the thread');
    expect(fake.channels.get(threadId)).toEqual(expect.objectContaining({ type: 11, parent_id: general.id, owner_id: fake.bot.id }));
    expect(first.content).toContain('[2]');
    expect(fake.botMessages(general.id)).toHaveLength(0);

    engine.enqueue('Box 2 is blue.');
    fake.sendMessage({ channelId: threadId, author: alice, content: 'what colour is box 2?' });
    await answered(threadId, (m) => m.content.includes('Box 2 is blue'), 'the follow-up answer');
    const second = engine.calls[1]?.request;
    // same conversation: the first turn comes along, and "box 2" was resolved to the blue square's box
    expect(second?.turns.map((turn) => turn.role)).toEqual(['user', 'assistant', 'user']);
    expect(second?.turns[0]?.text).toBe('where are the shapes?');
    expect(second?.turns[2]?.text).toContain('[0.550, 0.300, 0.900, 0.700]');
  });

  it('answers a video question with the timeline as an attachment', async () => {
    const path = join(dir, 'clip.mp4');
    await frameNumberVideo(path, { seconds: 4, fps: 10, gop: 10 });
    const harness = await setUp({}, {}, ['The light turns on {0.25, 0.50} and off {0.75, 1.00}.']);
    harness.fake.sendMessage({
      channelId: harness.general.id,
      author: harness.alice,
      mentionBot: true,
      content: 'when does the light turn on?',
      attachments: [{ name: 'clip.mp4', data: readFileSync(path), contentType: 'video/mp4' }],
    });
    const reply = await answered(harness.general.id, (m) => m.attachments.length > 0, 'the video answer');
    expect(reply.content).toContain('[1]');
    expect(reply.content).toContain('[2]');
    const [timeline] = harness.fake.filesOf(reply);
    expect(timeline?.data.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(timeline?.attachment.filename).toMatch(/timeline/);
    expect(engine.calls[0]?.request.media?.kind).toBe('video');
  });

  it('answers /lego ask with an attachment: deferred, then the reply edited in with the annotated PNG', async () => {
    const { fake, general, alice } = await setUp();
    const interaction = fake.runSlashCommand({
      channelId: general.id,
      user: alice,
      subcommand: 'ask',
      options: [{ name: 'question', type: 3, value: 'where are the shapes?' }],
      attachment: { option: 'file', name: 'shapes.png', data: png, contentType: 'image/png' },
    });
    const reply = await answered(general.id, (m) => m.attachments.length > 0 && m.interaction_metadata !== undefined, 'the slash command answer');
    expect(interaction.callbacks).toEqual([expect.objectContaining({ type: 5 })]);
    expect(reply.id).toBe(interaction.originalMessageId);
    expect(reply.flags & 128).toBe(0); // no longer "thinking…"
    expect(reply.content).toContain('[1]');
    expect(fake.filesOf(reply)[0]?.data.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(engine.calls[0]?.request.turns.at(-1)?.text).toBe('where are the shapes?');
    const edit = fake.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/messages/@original') && r.files.length > 0);
    expect(edit?.authorization).toBeUndefined(); // interaction webhooks are authorised by their token, not the bot token
    expect(fake.unknownRoutes).toEqual([]);
  });

  it('refuses an oversized file politely from its declared size, without downloading it', async () => {
    const { fake, general, alice } = await setUp({}, { media: { maxImageBytes: 1024 * 1024 } });
    fake.sendMessage({
      channelId: general.id,
      author: alice,
      mentionBot: true,
      content: 'what is this?',
      attachments: [{ name: 'huge.png', data: png, contentType: 'image/png', declaredSize: 25 * 1024 * 1024 }],
    });
    const reply = await answered(general.id);
    expect(reply.content).toMatch(/too large/i);
    expect(reply.content).not.toMatch(/\n\s+at /); // no stack trace
    expect(fake.cdnDownloads).toEqual([]);
    expect(engine.calls).toHaveLength(0);
  });

  it('stays silent in a channel on the deny list (no typing, no download, no pipeline)', async () => {
    const { fake, secret, general, alice } = await setUp();
    fake.sendMessage({
      channelId: secret.id,
      author: alice,
      mentionBot: true,
      content: 'where are the shapes?',
      attachments: [{ name: 'shapes.png', data: png, contentType: 'image/png' }],
    });
    // a message after it in an allowed channel proves the first one was processed (and ignored)
    fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'help' });
    await answered(general.id);
    await sleep(200);
    expect(fake.botMessages(secret.id)).toHaveLength(0);
    expect(fake.typing.get(secret.id)).toBeUndefined();
    expect(fake.cdnDownloads).toEqual([]);
    expect(engine.calls).toHaveLength(0);
  });

  it('survives a gateway disconnect in the middle of a conversation: resumes, replays what was missed, answers both', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // the first answer waits for the test, so the outage happens while it is in flight
    const holdFirst: FakeReply = async () => {
      await held;
      return TWO_BOXES;
    };
    const { fake, general, alice } = await setUp({}, {}, [holdFirst, 'Box 2 is blue.']);
    const slow = engine;
    const question = fake.sendMessage({
      channelId: general.id,
      author: alice,
      mentionBot: true,
      content: 'where are the shapes?',
      attachments: [{ name: 'shapes.png', data: png, contentType: 'image/png' }],
    });
    await fake.waitFor(() => slow.calls.length === 1 || undefined, 15_000, 'the question to reach the engine');
    fake.gateway.disconnect(4000); // "unknown error": resumable
    await fake.waitFor(() => !fake.gateway.connected || undefined, 5000, 'the disconnect');
    release();
    const first = await answered(general.id, (m) => m.attachments.length > 0, 'the answer in flight during the outage');
    // a reply sent while the bot is away is kept by Discord and replayed on RESUME
    fake.sendMessage({ channelId: general.id, author: alice, content: 'what colour is box 2?', replyTo: first.id });
    await fake.waitForGateway('resumed', 1, 20_000);
    await answered(general.id, (m) => m.content.includes('Box 2 is blue'), 'the answer to the replayed follow-up');
    expect(fake.gateway.stats.identifies).toBe(1);
    expect(fake.gateway.stats.resumes).toBe(1);
    expect(fake.gateway.stats.urls.at(-1)).toMatch(/^\/\?v=10&encoding=json$/);
    // the follow-up continued the reply chain's conversation
    expect(slow.calls[1]?.request.turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user']);
    expect(first.message_reference?.message_id).toBe(question.id);
  });

  it('retries a message that got a 429 after Retry-After, and posts it exactly once', async () => {
    const { fake, general, alice } = await setUp();
    fake.rateLimit({ method: 'POST', path: /^\/channels\/\d+\/messages$/, times: 1, retryAfter: 0.4 });
    fake.sendMessage({
      channelId: general.id,
      author: alice,
      mentionBot: true,
      content: 'where are the shapes?',
      attachments: [{ name: 'shapes.png', data: png, contentType: 'image/png' }],
    });
    const reply = await answered(general.id, (m) => m.attachments.length > 0);
    const posts = fake.requests.filter((r) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path));
    expect(posts.map((p) => p.status)).toEqual([429, 200]);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(400); // waited out the rate limit
    expect(posts[1]!.files[0]?.data.subarray(0, 8)).toEqual(PNG_SIGNATURE); // the file was sent again, whole
    expect(fake.botMessages(general.id)).toHaveLength(1);
    expect(reply.content).toContain('[1]');
  });

  it('does not download an attachment whose URL is not on a Discord CDN host', async () => {
    const hits: string[] = [];
    const foreign = createServer((request, response) => {
      hits.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'image/png' }).end(png);
    });
    foreign.listen(0, '127.0.0.1');
    await once(foreign, 'listening');
    try {
      const { fake, general, alice } = await setUp();
      const url = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}/attachments/1/2/shapes.png`;
      fake.sendMessage({
        channelId: general.id,
        author: alice,
        mentionBot: true,
        content: 'where are the shapes?',
        attachments: [{ name: 'shapes.png', url, contentType: 'image/png', declaredSize: png.length }],
      });
      const reply = await answered(general.id);
      expect(reply.content).toMatch(/only read files uploaded to this chat/i);
      expect(hits).toEqual([]);
      expect(engine.calls).toHaveLength(0);
    } finally {
      foreign.close();
    }
  });

  it('resumes after a dead connection (no close frame) and re-identifies when Discord invalidates the session', async () => {
    const { fake, general, alice } = await setUp({}, {}, ['First.', 'Second.']);
    fake.gateway.disconnect(); // TCP gone, no close code
    await fake.waitForGateway('resumed', 1, 20_000);
    fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'after the drop?', attachments: [{ name: 'a.png', data: png, contentType: 'image/png' }] });
    await answered(general.id, (m) => m.content.includes('First.'));
    // a session Discord no longer knows: RESUME gets INVALID_SESSION(false), the client identifies anew
    fake.gateway.invalidateSessions();
    fake.gateway.disconnect(4000);
    await fake.waitForGateway('ready', 2, 30_000);
    fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: 'after a new session?', attachments: [{ name: 'b.png', data: png, contentType: 'image/png' }] });
    await answered(general.id, (m) => m.content.includes('Second.'));
    expect(fake.gateway.stats.invalidSessions).toBe(1);
    expect(fake.gateway.stats.identifies).toBe(2);
  }, 60_000);

  it('answers /lego ask in a direct message', async () => {
    const { fake, alice } = await setUp({}, {}, ['Hello from the DM.']);
    const dm = fake.openDm(alice);
    const interaction = fake.runSlashCommand({
      channelId: dm.id,
      user: alice,
      subcommand: 'ask',
      options: [{ name: 'question', type: 3, value: 'are you there?' }],
      attachment: { option: 'file', name: 'shapes.png', data: png, contentType: 'image/png' },
    });
    const reply = await answered(dm.id, (m) => m.content.includes('Hello from the DM.'));
    expect(reply.id).toBe(interaction.originalMessageId);
    expect(engine.calls[0]?.request.turns.at(-1)?.text).toBe('are you there?');
  });
});
