import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createBot } from '../../src/bot/create-bot';
import { createConversationRuntime } from '../../src/conversation/conversation-runtime';
import { FakeEngine } from '../helpers/fake-engine';
import { greyPng, memoryAttachment, message, testConfig } from '../helpers/bot-fixtures';
import { frameNumberVideo } from '../media/video-fixtures';

describe('bot pipeline: video, store restarts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lego-bot-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a video answer has spans in seconds and a timeline PNG; the engine gets the sampled frames', async () => {
    const path = join(dir, 'clip.mp4');
    await frameNumberVideo(path, { seconds: 4, fps: 10, gop: 10 });
    const runtime = await createConversationRuntime({});
    const engine = new FakeEngine();
    const bot = createBot({ config: testConfig(), engine, runtime });
    const statuses: string[] = [];
    engine.enqueue('The light turns on {0.25, 0.50} and off {0.75, 1.00}.');
    const reply = await bot.handle(message('When does the light turn on?', [memoryAttachment(readFileSync(path), 'clip.mp4', { contentType: 'video/mp4' })]), {
      status: (text) => void statuses.push(text),
    });
    expect(reply.error).toBeUndefined();
    expect(reply.text).toBe('The light turns on [1] and off [2].');
    expect(reply.spans).toHaveLength(2);
    expect(reply.spans[0]!.seconds.start).toBeCloseTo(1, 1);
    expect(reply.spans[0]!.seconds.end).toBeCloseTo(2, 1);
    expect(reply.spans[1]!.seconds.end).toBeCloseTo(4, 1);
    const timeline = reply.files.find((f) => f.kind === 'timeline');
    expect(timeline).toBeDefined();
    const meta = await sharp(timeline!.data).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(1200);
    const media = engine.calls[0]!.request.media;
    expect(media?.kind).toBe('video');
    expect(media?.kind === 'video' ? media.frameTimes : []).toHaveLength(16);
    expect(statuses.join(' ')).toMatch(/video/i);
    // a follow-up about span 2 sends it in LEGO's span syntax with the same video
    engine.enqueue('It goes dark.');
    const follow = await bot.handle(message('what happens in span 2?'));
    expect(follow.error).toBeUndefined();
    expect(engine.calls[1]!.request.turns.at(-1)!.text).toContain('{0.75, 1.00}');
    expect(engine.calls[1]!.request.media?.kind).toBe('video');
    await runtime.close();
  });

  it('"zoom into span 1" samples that stretch of the video again and puts the answer\'s spans back on the whole timeline', async () => {
    const path = join(dir, 'zoom.mp4');
    await frameNumberVideo(path, { seconds: 4, fps: 10, gop: 10 });
    const runtime = await createConversationRuntime({});
    const engine = new FakeEngine({ replies: ['The light turns on {0.25, 0.50}.', 'It blinks {0.00, 0.50}.'] });
    const bot = createBot({ config: testConfig(), engine, runtime });
    await bot.handle(message('When does the light turn on?', [memoryAttachment(readFileSync(path), 'zoom.mp4', { contentType: 'video/mp4' })]));
    const zoom = await bot.handle(message('zoom into span 1'));
    expect(zoom.error).toBeUndefined();
    // span 1 is 1–2 s; a quarter of its length either side: 0.75–2.25 s, asked alone
    const asked = engine.calls[1]!.request;
    expect(asked.turns).toEqual([{ role: 'user', text: 'What happens in this video?' }]);
    expect(asked.media?.kind).toBe('video');
    const video = asked.media?.kind === 'video' ? asked.media : undefined;
    expect(video?.durationSec).toBeCloseTo(1.5, 2);
    expect(video?.frameTimes).toHaveLength(16);
    for (const t of video?.frameTimes ?? []) {
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThanOrEqual(1.5);
    }
    expect(zoom.notices).toContain('I looked again at 0.8–2.3 s of the video.');
    // "{0.00, 0.50}" of the stretch is 0.75–1.5 s of the video, on the whole video's timeline
    expect(zoom.text).toBe('It blinks [2].');
    expect(zoom.spans[0]!.seconds.start).toBeCloseTo(0.75, 2);
    expect(zoom.spans[0]!.seconds.end).toBeCloseTo(1.5, 2);
    expect(zoom.files.some((f) => f.kind === 'timeline')).toBe(true);
    const record = await runtime.manager.read('test:conversation');
    const region = record!.regions.find((r) => r.number === 2);
    expect(region?.kind === 'span' ? region.span.start : NaN).toBeCloseTo(0.1875, 4);
    await runtime.close();
  });

  it('a conversation survives a restart with the SQLite store (new process state: new runtime, new bot, empty caches)', async () => {
    const conversation = { store: { kind: 'sqlite' as const, path: join(dir, 'lego.sqlite') } };
    const image = await greyPng(160, 80);
    {
      const runtime = await createConversationRuntime(conversation);
      const engine = new FakeEngine({ replies: ['A star [0.100, 0.300, 0.500, 0.700] and a cup [0.600, 0.400, 0.900, 0.600].'] });
      const bot = createBot({ config: testConfig({ conversation }), engine, runtime });
      const first = await bot.handle(message('What is there?', [memoryAttachment(image)], 'restart:1'));
      expect(first.boxes.map((b) => b.ref)).toEqual([1, 2]);
      await bot.close();
      await runtime.close();
    }
    const runtime = await createConversationRuntime(conversation);
    const engine = new FakeEngine({ replies: ['A blue cup.'] });
    const bot = createBot({ config: testConfig({ conversation }), engine, runtime });
    const reply = await bot.handle(message('what is in box 2?', [], 'restart:1'));
    expect(reply.error).toBeUndefined();
    expect(reply.text).toBe('A blue cup.');
    const request = engine.calls[0]!.request;
    expect(request.turns).toHaveLength(3);
    expect(request.turns.at(-1)!.text).toContain('[0.600, 0.400, 0.900, 0.600]');
    expect(request.media?.size).toEqual({ width: 160, height: 80 }); // re-read from the blob store
    const record = await runtime.manager.read('restart:1');
    expect(record?.turns).toHaveLength(4);
    await runtime.close();
  });

  it('a store that is down gives a polite retryable error and the turns come back with it', async () => {
    const runtime = await createConversationRuntime({});
    const engine = new FakeEngine({ fallback: 'A star [0.100, 0.300, 0.500, 0.700].' });
    const bot = createBot({ config: testConfig(), engine, runtime });
    await bot.handle(message('where?', [memoryAttachment(await greyPng(64, 64))], 'down:1'));
    const store = runtime.backend.store;
    const realGet = store.get.bind(store);
    const { LegoError } = await import('../../src/errors');
    store.get = async () => {
      throw new LegoError('store-unavailable', 'store is down (test)');
    };
    const down = await bot.handle(message('what is in box 1?', [], 'down:1'));
    expect(down.error).toEqual({ code: 'store-unavailable', retryable: true });
    expect(down.text).toMatch(/memory/);
    store.get = realGet;
    const back = await bot.handle(message('what is in box 1?', [], 'down:1'));
    expect(back.error).toBeUndefined();
    expect((await runtime.manager.read('down:1'))?.turns).toHaveLength(4);
    await runtime.close();
  });
});
