/**
 * The Slack adapter end to end: the real bolt App (HTTP receiver on a free loopback port) and the
 * real pipeline (createBot with a FakeEngine) against a local fake Slack Web API and file host,
 * driven by signed event deliveries.
 */
import sharp from 'sharp';
import { createBot } from '../../src/bot/create-bot';
import type { Bot } from '../../src/bot/bot';
import { FakeEngine } from '../helpers/fake-engine';
import { testConfig } from '../helpers/bot-fixtures';
import { startSlackHarness, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../helpers/slack-fake/slack-harness';
import { deliver, eventEnvelope } from '../helpers/slack-fake/signed-delivery';
import type { SlackHarness } from '../helpers/slack-fake/slack-harness';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNEL = 'C0000CHAN';
const ALICE = 'U000ALICE';

const TWO_BOXES = 'The red square [0.100, 0.200, 0.400, 0.500] is left of the blue circle [0.550, 0.300, 0.900, 0.700].';

async function shapesPng(): Promise<Buffer> {
  return sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 240, g: 240, b: 240 } } })
    .composite([
      { input: { create: { width: 40, height: 40, channels: 3, background: { r: 220, g: 30, b: 30 } } }, left: 20, top: 30 },
      { input: { create: { width: 40, height: 40, channels: 3, background: { r: 30, g: 30, b: 220 } } }, left: 100, top: 40 },
    ])
    .png()
    .toBuffer();
}

let tsCounter = 0;
function nextTs(): string {
  tsCounter += 1;
  return `1700001000.${String(tsCounter).padStart(6, '0')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('Slack adapter end to end (bolt HTTP receiver, fake Slack API, real pipeline)', () => {
  let harness: SlackHarness;
  let engine: FakeEngine;
  let bot: Bot;
  let png: Buffer;

  beforeAll(async () => {
    png = await shapesPng();
  });

  async function setUp(options: Parameters<typeof startSlackHarness>[0]['config'] = {}, fake: Parameters<typeof startSlackHarness>[0]['fake'] = {}): Promise<void> {
    engine = new FakeEngine({ replies: [TWO_BOXES] });
    bot = createBot({ config: testConfig(), engine });
    harness = await startSlackHarness({ handler: bot, config: options, fake });
  }

  afterEach(async () => {
    await harness?.close();
    await bot?.close();
  });

  function mention(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { type: 'app_mention', user: ALICE, text: `<@${harness.slack.botUserId}> ${text}`, ts: nextTs(), channel: CHANNEL, ...extra };
  }

  async function mentionWithImage(): Promise<{ ts: string }> {
    const file = harness.slack.addFile(png, { name: 'shapes.png', mimetype: 'image/png' });
    const event = mention('where are the shapes?', { files: [file] });
    const response = await harness.sendEvent(event);
    expect(response.status).toBe(200);
    return { ts: event.ts as string };
  }

  it('answers a mention with an image in its thread: numbered mrkdwn and the annotated PNG uploaded into the thread', async () => {
    await setUp();
    const { ts } = await mentionWithImage();
    await harness.slack.waitFor(() => harness.slack.uploads.some((u) => u.completed !== undefined), 10_000, 'the upload');

    // the image was fetched from url_private with the bot token
    expect(harness.slack.downloads).toEqual([expect.objectContaining({ authorised: true })]);
    expect(engine.calls).toHaveLength(1);

    // the answer is in the thread of the mention, numbered, coordinates gone
    const thread = harness.slack.thread(CHANNEL, ts);
    const answer = thread.map((m) => m.text).join('\n');
    expect(answer).toContain('[1]');
    expect(answer).toContain('[2]');
    expect(answer).not.toMatch(/0\.100/);

    // external upload flow: getUploadURLExternal → bytes to upload_url → completeUploadExternal with the thread
    const upload = harness.slack.uploads.find((u) => u.completed !== undefined);
    expect(upload?.bytes?.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(upload?.completed).toEqual(expect.objectContaining({ channelId: CHANNEL, threadTs: ts }));
    const meta = await sharp(upload?.bytes).metadata();
    expect(meta.format).toBe('png');
    expect(harness.slack.callsOf('files.getUploadURLExternal')).toHaveLength(1);
    expect(harness.slack.callsOf('files.completeUploadExternal')).toHaveLength(1);

    // no token in what was posted or logged
    expect(JSON.stringify(harness.slack.messages)).not.toContain(TEST_BOT_TOKEN);
    expect(harness.logLines.join('\n')).not.toContain(TEST_BOT_TOKEN);
  });

  it('answers a follow-up about region 2 in the thread without a mention, in the same conversation', async () => {
    await setUp();
    const { ts } = await mentionWithImage();
    await harness.slack.waitFor(() => harness.slack.uploads.some((u) => u.completed !== undefined), 10_000, 'the first answer');
    engine.enqueue?.('Box 2 is blue.');
    const followUp = { type: 'message', channel_type: 'channel', user: ALICE, text: 'what colour is box 2?', ts: nextTs(), thread_ts: ts, channel: CHANNEL };
    expect((await harness.sendEvent(followUp)).status).toBe(200);
    await harness.slack.waitFor(() => engine.calls.length === 2, 10_000, 'the follow-up to reach the engine');
    await harness.slack.waitFor(() => harness.slack.thread(CHANNEL, ts).some((m) => m.text.includes('Box 2 is blue')), 10_000, 'the follow-up answer');

    const second = engine.calls[1]?.request;
    // same conversation: the first question and answer come along, and "box 2" was resolved to its region
    expect(second?.turns.map((turn) => turn.role)).toEqual(['user', 'assistant', 'user']);
    expect(second?.turns[0]?.text).toBe('where are the shapes?');
    expect(second?.turns[2]?.text).toContain('[0.550, 0.300, 0.900, 0.700]');
  });

  it('refuses a delivery with a bad signature (401) and processes nothing', async () => {
    await setUp();
    const file = harness.slack.addFile(png, { name: 'shapes.png', mimetype: 'image/png' });
    const response = await harness.sendEvent(mention('where?', { files: [file] }), { secret: 'not-the-secret' });
    expect(response.status).toBe(401);
    await sleep(300);
    expect(engine.calls).toHaveLength(0);
    expect(harness.slack.downloads).toHaveLength(0);
    expect(harness.slack.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('refuses a delivery whose timestamp is more than 5 minutes old (a replay), even when correctly signed', async () => {
    await setUp();
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const envelope = eventEnvelope(harness.slack.teamId, mention('where?'));
    const response = await deliver(harness.eventsUrl, envelope, { secret: TEST_SIGNING_SECRET, timestamp: stale });
    expect(response.status).toBe(401);
    await sleep(300);
    expect(engine.calls).toHaveLength(0);
    expect(harness.slack.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('answers a retried delivery (X-Slack-Retry-Num) once', async () => {
    await setUp();
    const file = harness.slack.addFile(png, { name: 'shapes.png', mimetype: 'image/png' });
    const event = mention('where are the shapes?', { files: [file] });
    const eventId = 'EvRETRY0001';
    expect((await harness.sendEvent(event, { eventId })).status).toBe(200);
    expect((await harness.sendEvent(event, { eventId, retryNum: 1 })).status).toBe(200);
    expect((await harness.sendEvent(event, { eventId, retryNum: 2 })).status).toBe(200);
    await harness.slack.waitFor(() => harness.slack.uploads.some((u) => u.completed !== undefined), 10_000, 'the answer');
    await sleep(300);
    expect(engine.calls).toHaveLength(1);
    expect(harness.slack.callsOf('files.completeUploadExternal')).toHaveLength(1);
  });

  it('says the app is missing the files:read scope when url_private answers 200 with an HTML page', async () => {
    await setUp({}, { filesRead: false });
    const { ts } = await mentionWithImage();
    await harness.slack.waitFor(() => harness.slack.thread(CHANNEL, ts).some((m) => m.text.includes('files:read')), 10_000, 'the scope error');
    expect(engine.calls).toHaveLength(0);
    const text = harness.slack.thread(CHANNEL, ts).map((m) => m.text).join('\n');
    expect(text).toContain('the app is missing the files:read scope');
    expect(text).not.toMatch(/at .*\.ts:\d+|<!DOCTYPE|Bearer/);
    expect(harness.slack.uploads).toHaveLength(0);
  });

  it('retries a rate-limited Web API call (429 + Retry-After) and loses nothing', async () => {
    await setUp();
    harness.slack.rateLimit('chat.postMessage', 1, 1);
    harness.slack.rateLimit('files.completeUploadExternal', 1, 1);
    const started = Date.now();
    const { ts } = await mentionWithImage();
    await harness.slack.waitFor(() => harness.slack.uploads.some((u) => u.completed !== undefined), 15_000, 'the upload after 429s');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(harness.slack.callsOf('chat.postMessage', true).filter((c) => c.rateLimited)).toHaveLength(1);
    expect(harness.slack.callsOf('files.completeUploadExternal', true).filter((c) => c.rateLimited)).toHaveLength(1);
    const answer = harness.slack.thread(CHANNEL, ts).map((m) => m.text).join('\n');
    expect(answer).toContain('[1]');
    expect(answer).toContain('[2]');
    expect(harness.slack.uploads.filter((u) => u.completed !== undefined)).toHaveLength(1);
  });

  it('ignores its own messages, other bots, edits, and channels or users not allowed', async () => {
    await setUp({ allowedChannels: [CHANNEL], allowedUsers: [ALICE] });
    const { ts } = await mentionWithImage();
    await harness.slack.waitFor(() => harness.slack.uploads.some((u) => u.completed !== undefined), 10_000, 'the first answer');
    const ignored: Record<string, unknown>[] = [
      // its own message in the thread (the bot user)
      { type: 'message', channel_type: 'channel', user: harness.slack.botUserId, bot_id: harness.slack.botId, text: 'my answer', ts: nextTs(), thread_ts: ts, channel: CHANNEL },
      // another bot
      { type: 'message', channel_type: 'channel', subtype: 'bot_message', bot_id: 'BOTHER0001', text: 'beep', ts: nextTs(), thread_ts: ts, channel: CHANNEL },
      { type: 'message', channel_type: 'channel', user: 'UOTHERBOT', bot_id: 'BOTHER0002', text: 'what colour is box 1?', ts: nextTs(), thread_ts: ts, channel: CHANNEL },
      // an edit
      {
        type: 'message', channel_type: 'channel', subtype: 'message_changed', channel: CHANNEL, ts: nextTs(), hidden: true,
        message: { type: 'message', user: ALICE, text: 'what colour is box 1?', ts, edited: { user: ALICE, ts: nextTs() } },
      },
      // a channel not on the allow list
      mention('where is the red square?', { channel: 'C0000ELSE' }),
      // a user not on the allow list
      mention('where is the red square?', { user: 'U0000CAROL' }),
      // a plain message outside any thread the bot answered in
      { type: 'message', channel_type: 'channel', user: ALICE, text: 'lunch?', ts: nextTs(), channel: CHANNEL },
    ];
    for (const event of ignored) expect((await harness.sendEvent(event)).status).toBe(200);
    await sleep(500);
    expect(engine.calls).toHaveLength(1);
    expect(harness.slack.messages.every((m) => m.thread_ts === ts)).toBe(true);
  });

  it('answers a DM at the top level of the DM', async () => {
    await setUp();
    const file = harness.slack.addFile(png, { name: 'shapes.png', mimetype: 'image/png' });
    const ts = nextTs();
    await harness.sendEvent({ type: 'message', channel_type: 'im', user: ALICE, text: 'where are the shapes?', ts, channel: 'D0000ALICE', files: [file] });
    await harness.slack.waitFor(() => harness.slack.uploads.some((u) => u.completed !== undefined), 10_000, 'the DM answer');
    const upload = harness.slack.uploads.find((u) => u.completed !== undefined);
    expect(upload?.completed).toEqual(expect.objectContaining({ channelId: 'D0000ALICE' }));
    expect(harness.slack.thread('D0000ALICE', undefined).map((m) => m.text).join('\n')).toContain('[1]');
  });

  it('streams with chat.startStream / appendStream / stopStream where Slack has them', async () => {
    await setUp({ streaming: 'auto' }, { streaming: true });
    engine = new FakeEngine({ replies: [{ text: TWO_BOXES, chunkSize: 8, delayMs: 40 }] });
    await bot.close();
    bot = createBot({ config: testConfig(), engine });
    await harness.close();
    harness = await startSlackHarness({ handler: bot, config: { streaming: 'auto' }, fake: { streaming: true } });
    const { ts } = await mentionWithImage();
    await harness.slack.waitFor(() => harness.slack.uploads.some((u) => u.completed !== undefined), 10_000, 'the streamed answer');
    expect(harness.slack.callsOf('chat.startStream')).toHaveLength(1);
    expect(harness.slack.callsOf('chat.stopStream')).toHaveLength(1);
    const streamed = harness.slack.thread(CHANNEL, ts).find((m) => m.streaming === 'stopped');
    expect(streamed?.text).toContain('[2]');
  });

  it('/lego regions and /lego reset act on the DM conversation and answer privately', async () => {
    await setUp();
    const file = harness.slack.addFile(png, { name: 'shapes.png', mimetype: 'image/png' });
    await harness.sendEvent({ type: 'message', channel_type: 'im', user: ALICE, text: 'where are the shapes?', ts: nextTs(), channel: 'D0000ALICE', files: [file] });
    await harness.slack.waitFor(() => harness.slack.uploads.some((u) => u.completed !== undefined), 10_000, 'the DM answer');
    await harness.sendCommand('regions', { channel_id: 'D0000ALICE', channel_name: 'directmessage' });
    await harness.slack.waitFor(() => harness.slack.responses.length === 1, 10_000, 'the regions response');
    expect(String(harness.slack.responses[0]?.body.text)).toMatch(/box 1 \(red square\), box 2 \(blue circle\)/);
    expect(harness.slack.responses[0]?.body.response_type).toBe('ephemeral');
    await harness.sendCommand('reset', { channel_id: 'D0000ALICE', channel_name: 'directmessage' });
    await harness.slack.waitFor(() => harness.slack.responses.length === 2, 10_000, 'the reset response');
    expect(String(harness.slack.responses[1]?.body.text)).toMatch(/forgotten/);
    // after the reset a follow-up has no history
    engine.enqueue('Fresh start.');
    await harness.sendEvent({ type: 'message', channel_type: 'im', user: ALICE, text: 'what colour is box 2?', ts: nextTs(), channel: 'D0000ALICE' });
    await sleep(500);
    for (const call of engine.calls.slice(1)) expect(call.request.turns).toHaveLength(1);
  });

  it('/lego help answers privately; /lego ask posts the question and answers in its thread', async () => {
    await setUp();
    expect((await harness.sendCommand('help')).status).toBe(200);
    await harness.slack.waitFor(() => harness.slack.responses.length === 1, 5000, 'the help response');
    expect(String(harness.slack.responses[0]?.body.text)).toContain('/lego ask');
    expect(harness.slack.responses[0]?.body.response_type).toBe('ephemeral');

    expect((await harness.sendCommand('ask what can you do with images?')).status).toBe(200);
    await harness.slack.waitFor(() => harness.slack.messages.filter((m) => m.thread_ts !== undefined).length >= 1, 10_000, 'the threaded answer');
    const question = harness.slack.messages.find((m) => m.thread_ts === undefined);
    expect(question?.text).toContain(`<@${ALICE}> asked: what can you do with images?`);
    expect(harness.slack.thread(CHANNEL, question?.ts).length).toBeGreaterThanOrEqual(1);
  });
});
