/**
 * More of Slack end to end (real bolt App over HTTP, real pipeline, fake Slack API): the AI assistant
 * panel, answers longer than a Slack message, escaping, files that are too large or damaged.
 */
import sharp from 'sharp';
import { createBot } from '../../src/bot/create-bot';
import type { Bot } from '../../src/bot/bot';
import { FakeEngine } from '../helpers/fake-engine';
import type { FakeReply } from '../helpers/fake-engine';
import { testConfig } from '../helpers/bot-fixtures';
import { startSlackHarness } from '../helpers/slack-fake/slack-harness';
import type { SlackHarness } from '../helpers/slack-fake/slack-harness';

const CHANNEL = 'C0000CHAN';
const ALICE = 'U000ALICE';
const DM = 'D0000ALICE';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('Slack surfaces end to end', () => {
  let harness: SlackHarness | undefined;
  let engine: FakeEngine;
  let bot: Bot | undefined;
  let png: Buffer;
  let tsCounter = 0;

  function nextTs(): string {
    tsCounter += 1;
    return `1700005000.${String(tsCounter).padStart(6, '0')}`;
  }

  beforeAll(async () => {
    png = await sharp({ create: { width: 128, height: 96, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
  });

  afterEach(async () => {
    await harness?.close();
    await bot?.close();
    harness = undefined;
    bot = undefined;
  });

  async function setUp(replies: FakeReply[], config: Parameters<typeof startSlackHarness>[0]['config'] = {}, stopTimeoutMs?: number): Promise<SlackHarness> {
    engine = new FakeEngine({ replies });
    bot = createBot({ config: testConfig(), engine });
    harness = await startSlackHarness({ handler: bot, config, stopTimeoutMs });
    return harness;
  }

  it('assistant threads: greeting and suggested prompts on start; status, title and a threaded answer per message', async () => {
    const h = await setUp(['The red square [0.100, 0.200, 0.400, 0.500].'], { assistant: true });
    const threadTs = nextTs();
    const started = {
      type: 'assistant_thread_started',
      assistant_thread: { user_id: ALICE, channel_id: DM, thread_ts: threadTs, context: { channel_id: CHANNEL, team_id: h.slack.teamId } },
      event_ts: nextTs(),
    };
    expect((await h.sendEvent(started)).status).toBe(200);
    await h.slack.waitFor(() => h.slack.callsOf('assistant.threads.setSuggestedPrompts').length === 1, 5000, 'suggested prompts');
    const prompts = h.slack.callsOf('assistant.threads.setSuggestedPrompts')[0]?.params;
    expect(prompts).toEqual(expect.objectContaining({ channel_id: DM, thread_ts: threadTs }));
    expect(String(prompts?.prompts)).toContain('Where is the red star?');
    expect(h.slack.thread(DM, threadTs)).toHaveLength(1); // the greeting

    const file = h.slack.addFile(png, { name: 'red.png', mimetype: 'image/png' });
    const question = { type: 'message', subtype: 'file_share', channel_type: 'im', channel: DM, user: ALICE, text: 'where is the red square?', ts: nextTs(), thread_ts: threadTs, files: [file] };
    expect((await h.sendEvent(question)).status).toBe(200);
    await h.slack.waitFor(() => h.slack.uploads.some((u) => u.completed !== undefined), 10_000, 'the assistant answer');
    expect(engine.calls).toHaveLength(1);
    expect(h.slack.callsOf('assistant.threads.setStatus').length).toBeGreaterThanOrEqual(1);
    expect(h.slack.callsOf('assistant.threads.setStatus')[0]?.params).toEqual(expect.objectContaining({ channel_id: DM, thread_ts: threadTs }));
    expect(h.slack.callsOf('assistant.threads.setTitle')[0]?.params).toEqual(expect.objectContaining({ title: 'where is the red square?' }));
    expect(h.slack.thread(DM, threadTs).map((m) => m.text).join('\n')).toContain('[1]');
    expect(h.slack.uploads.find((u) => u.completed !== undefined)?.completed).toEqual(expect.objectContaining({ channelId: DM, threadTs }));
  });

  it('splits a long answer into messages under 3,000 characters, escaped, in order, nothing lost', async () => {
    const sentence = 'The red square [0.100, 0.200, 0.400, 0.500] sits left & low <!channel>. ';
    const long = sentence.repeat(160).trim();
    const h = await setUp([{ text: long, chunkSize: 500 }]);
    const file = h.slack.addFile(png, { name: 'red.png', mimetype: 'image/png' });
    const ts = nextTs();
    await h.sendEvent({ type: 'app_mention', user: ALICE, text: `<@${h.slack.botUserId}> describe it`, ts, channel: CHANNEL, files: [file] });
    await h.slack.waitFor(() => h.slack.uploads.some((u) => u.completed !== undefined), 10_000, 'the long answer');
    const messages = h.slack.thread(CHANNEL, ts);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    for (const message of messages) expect(message.text.length).toBeLessThanOrEqual(3000);
    const all = messages.map((m) => m.text).join(' ');
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).toContain('left &amp; low');
    expect(all.match(/sits left/g)).toHaveLength(160);
  });

  it('shows a growing answer by posting once and editing at most every updateIntervalMs (chat.update) where streaming is refused', async () => {
    const text = 'The red square [0.100, 0.200, 0.400, 0.500] is on the left, near the top, and rather large. '.repeat(3).trim();
    const h = await setUp([{ text, chunkSize: 4, delayMs: 15 }], { streaming: 'auto', updateIntervalMs: 300 });
    const file = h.slack.addFile(png, { name: 'red.png', mimetype: 'image/png' });
    const ts = nextTs();
    await h.sendEvent({ type: 'app_mention', user: ALICE, text: `<@${h.slack.botUserId}> describe it`, ts, channel: CHANNEL, files: [file] });
    await h.slack.waitFor(() => h.slack.uploads.some((u) => u.completed !== undefined), 15_000, 'the answer');
    expect(h.slack.callsOf('chat.startStream')).toHaveLength(1); // tried once, refused by this workspace
    const messages = h.slack.thread(CHANNEL, ts);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.history.length).toBeGreaterThanOrEqual(2); // posted, then edited
    expect(messages[0]?.text).toContain('[1]');
    const edits = h.slack.callsOf('chat.update').map((call) => call.at);
    // partial edits keep their distance (the final edit may follow the last partial at once)
    for (let i = 1; i < edits.length - 1; i += 1) expect(edits[i]! - edits[i - 1]!).toBeGreaterThanOrEqual(250);
  });

  it('stop() lets an answer in flight run for its grace period, then cuts it and still ends the message politely', async () => {
    const slow = 'The red square is on the left and it is quite large. '.repeat(20);
    const h = await setUp([{ text: slow, chunkSize: 2, delayMs: 50 }], {}, 400);
    const file = h.slack.addFile(png, { name: 'red.png', mimetype: 'image/png' });
    const ts = nextTs();
    await h.sendEvent({ type: 'app_mention', user: ALICE, text: `<@${h.slack.botUserId}> describe it`, ts, channel: CHANNEL, files: [file] });
    await h.slack.waitFor(() => h.slack.thread(CHANNEL, ts).length > 0, 10_000, 'the growing answer');
    const started = Date.now();
    await h.adapter.stop();
    expect(Date.now() - started).toBeLessThan(4000);
    expect(engine.calls[0]?.signal?.aborted).toBe(true);
    const text = h.slack.thread(CHANNEL, ts).map((m) => m.text).join('\n');
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/AbortError|\.ts:\d+/);
  });

  it('says a file is too large from its declared size, without downloading it', async () => {
    const h = await setUp(['never asked']);
    const file = { ...h.slack.addFile(png, { name: 'huge.png', mimetype: 'image/png' }), size: 900 * 1024 * 1024 };
    const ts = nextTs();
    await h.sendEvent({ type: 'app_mention', user: ALICE, text: `<@${h.slack.botUserId}> what is this?`, ts, channel: CHANNEL, files: [file] });
    await h.slack.waitFor(() => h.slack.thread(CHANNEL, ts).length > 0, 10_000, 'the refusal');
    await sleep(200);
    expect(h.slack.downloads).toHaveLength(0);
    expect(engine.calls).toHaveLength(0);
    expect(h.slack.thread(CHANNEL, ts).map((m) => m.text).join('\n')).toMatch(/too large/i);
  });

  it('answers a damaged image with a short message and no stack trace', async () => {
    const h = await setUp(['never asked']);
    const broken = Buffer.concat([png.subarray(0, 40), Buffer.alloc(200, 0)]);
    const file = h.slack.addFile(broken, { name: 'broken.png', mimetype: 'image/png' });
    const ts = nextTs();
    await h.sendEvent({ type: 'app_mention', user: ALICE, text: `<@${h.slack.botUserId}> what is this?`, ts, channel: CHANNEL, files: [file] });
    await h.slack.waitFor(() => h.slack.thread(CHANNEL, ts).length > 0, 10_000, 'the reply');
    await sleep(200);
    const text = h.slack.thread(CHANNEL, ts).map((m) => m.text).join('\n');
    expect(text.length).toBeLessThan(400);
    expect(text).not.toMatch(/\.ts:\d+|Error:|at [A-Za-z]+ \(/);
    expect(engine.calls).toHaveLength(0);
  });
});
