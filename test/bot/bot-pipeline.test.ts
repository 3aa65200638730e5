import { createConversationRuntime } from '../../src/conversation/conversation-runtime';
import type { ConversationRuntime } from '../../src/conversation/conversation-runtime';
import { createBot } from '../../src/bot/create-bot';
import type { Bot } from '../../src/bot/bot';
import { LegoError } from '../../src/errors';
import { referenceColour } from '../../src/render/palette';
import { FakeEngine } from '../helpers/fake-engine';
import { greyPng, hasColourNear, hexRgb, memoryAttachment, message, testConfig } from '../helpers/bot-fixtures';

describe('bot pipeline with the FakeEngine', () => {
  let runtime: ConversationRuntime;
  let bot: Bot;
  let engine: FakeEngine;

  beforeEach(async () => {
    runtime = await createConversationRuntime({});
    engine = new FakeEngine();
    bot = createBot({ config: testConfig(), engine, runtime });
  });
  afterEach(async () => {
    await bot.close();
    await runtime.close();
  });

  it('answers with numbered text, pixel boxes and an annotated PNG whose box lands where the model said', async () => {
    // 200×100: S = 200, padded 50 px above and below. [0.1, 0.3, 0.5, 0.7] → x 20..100, y 10..90.
    engine.enqueue('The red star [0.100, 0.300, 0.500, 0.700] and the cup [0.600, 0.400, 0.900, 0.600].');
    const partials: string[] = [];
    const reply = await bot.handle(message('Where are the things?', [memoryAttachment(await greyPng(200, 100))]), {
      partial: (text) => void partials.push(text),
    });
    expect(reply.error).toBeUndefined();
    expect(reply.text).toBe('The red star [1] and the cup [2].');
    expect(reply.boxes.map((b) => b.ref)).toEqual([1, 2]);
    expect(reply.boxes[0]!.label).toBe('red star');
    expect(reply.boxes[0]!.pixels.x1).toBeCloseTo(20, 5);
    expect(reply.boxes[0]!.pixels.y1).toBeCloseTo(10, 5);
    expect(reply.boxes[0]!.pixels.x2).toBeCloseTo(100, 5);
    expect(reply.boxes[0]!.pixels.y2).toBeCloseTo(90, 5);
    const file = reply.files.find((f) => f.kind === 'annotated-image');
    expect(file?.contentType).toBe('image/png');
    const png = file!.data;
    // left edge of box 1 at x = 20, middle height y = 50: box 1's colour; inside the box: still grey
    expect(await hasColourNear(png, 20, 50, hexRgb(referenceColour(1)))).toBe(true);
    expect(await hasColourNear(png, 100, 50, hexRgb(referenceColour(1)))).toBe(true);
    expect(await hasColourNear(png, 60, 70, [128, 128, 128], 0, 3)).toBe(true);
    // box 2 [0.6, 0.4, 0.9, 0.6] → x 120..180, y 30..70 in its own colour
    expect(await hasColourNear(png, 180, 50, hexRgb(referenceColour(2)))).toBe(true);
    // streamed partial text never shows raw coordinates
    expect(partials.length).toBeGreaterThan(3);
    for (const p of partials) expect(p).not.toMatch(/0\.\d{3}/);
    expect(partials[partials.length - 1]).toBe(reply.text);
  });

  it('"what is in box 2" sends box 2 in the model frame; "zoom into 1" asks on the crop and maps boxes back', async () => {
    engine.enqueue('A star [0.100, 0.300, 0.500, 0.700] and a cup [0.600, 0.400, 0.900, 0.600].');
    await bot.handle(message('What is there?', [memoryAttachment(await greyPng(200, 100))]));
    engine.enqueue('It is a cup.');
    const second = await bot.handle(message('what is in box 2?'));
    expect(second.text).toBe('It is a cup.');
    const sent = engine.calls[1]!.request;
    expect(sent.turns[sent.turns.length - 1]!.text).toContain('[0.600, 0.400, 0.900, 0.600]');
    expect(sent.turns).toHaveLength(3); // the earlier exchange (model frame) + the question
    expect(sent.turns[1]!.text).toContain('[0.100, 0.300, 0.500, 0.700]');
    expect(sent.media?.kind).toBe('image');
    expect(sent.media?.size).toEqual({ width: 200, height: 100 });

    // zoom into 1: box 1 is x 20..100, y 10..90; margin 0.25 → x 0..120, y 0..100 (slid inside the image)
    engine.enqueue('A small star [0.000, 0.000, 0.500, 0.500].');
    const zoom = await bot.handle(message('zoom into 1'));
    const asked = engine.calls[2]!.request;
    expect(asked.turns).toHaveLength(1);
    expect(asked.media?.size).toEqual({ width: 120, height: 100 });
    expect(zoom.files.map((f) => f.kind).sort()).toEqual(['annotated-image', 'crop']);
    // on the 120×100 crop: S = 120, pad top 10 → crop pixels x 0..60, y 0..50 → full image the same (crop at 0,0)
    expect(zoom.boxes).toHaveLength(1);
    expect(zoom.boxes[0]!.ref).toBe(3);
    expect(zoom.boxes[0]!.pixels.x1).toBeCloseTo(0, 5);
    expect(zoom.boxes[0]!.pixels.x2).toBeCloseTo(60, 5);
    expect(zoom.boxes[0]!.pixels.y2).toBeCloseTo(50, 5);
    expect(zoom.text).toBe('A small star [3].');
  });

  it('an unknown box lists the regions there are; reset forgets everything', async () => {
    engine.enqueue('A star [0.100, 0.300, 0.500, 0.700].');
    await bot.handle(message('Where is the star?', [memoryAttachment(await greyPng(120, 120))]));
    const unknown = await bot.handle(message('what is in box 9?'));
    expect(unknown.text).toMatch(/no box 9/);
    expect(unknown.text).toMatch(/box 1/);
    const regions = await bot.handle(message('regions'));
    expect(regions.text).toMatch(/box 1/);
    const reset = await bot.handle(message('reset'));
    expect(reset.text).toMatch(/forgotten/);
    const after = await bot.handle(message('what is in box 1?'));
    expect(after.text).toMatch(/image or a video/);
    expect(engine.calls).toHaveLength(1);
    expect((await runtime.manager.read('test:conversation'))?.turns ?? []).toHaveLength(0);
  });

  it('a question with no media asks for one; help answers', async () => {
    const reply = await bot.handle(message('what colour is the sky?'));
    expect(reply.text).toMatch(/image or a video/);
    expect(reply.error).toBeUndefined();
    expect(engine.calls).toHaveLength(0);
    expect((await bot.handle(message('help'))).text).toMatch(/box 2/);
  });

  it.each([
    ['text named .png', Buffer.from('hello, I am not an image at all'), 'unsupported-media'],
    ['truncated PNG', Buffer.from('89504e470d0a1a0a0000000d49484452000000c8', 'hex'), 'media-corrupt'],
    ['empty file', Buffer.alloc(0), 'bad-input'],
  ])('a %s gets a polite error and the conversation keeps its earlier turns', async (_name, bytes, code) => {
    engine.enqueue('A star [0.100, 0.300, 0.500, 0.700].');
    await bot.handle(message('Where is the star?', [memoryAttachment(await greyPng(120, 120))]));
    const bad = await bot.handle(message('and this?', [memoryAttachment(bytes, 'photo.png')]));
    expect(bad.error?.code).toBe(code);
    expect(bad.text).toMatch(/^Sorry/);
    const record = await runtime.manager.read('test:conversation');
    expect(record?.turns).toHaveLength(2);
    expect(record?.media).toHaveLength(1);
    engine.enqueue('Still a star.');
    const next = await bot.handle(message('what is in box 1?'));
    expect(next.error).toBeUndefined();
  });

  it('a huge image is refused before decoding', async () => {
    const config = testConfig({ media: { maxImagePixels: 10_000 } });
    const small = createBot({ config, engine, runtime });
    const reply = await small.handle(message('what is this?', [memoryAttachment(await greyPng(400, 400))]));
    expect(reply.error).toEqual({ code: 'too-large', retryable: false });
    expect(engine.calls).toHaveLength(0);
  });

  it('an image without words asks the default question; a text-only engine answers without media', async () => {
    await bot.handle(message('', [memoryAttachment(await greyPng(64, 64))]));
    expect(engine.calls[0]!.request.turns).toEqual([{ role: 'user', text: 'What is in this image?' }]);
    const textOnly = createBot({ config: testConfig({ bot: { textOnly: true } }), engine, runtime });
    engine.enqueue('Blue.');
    const reply = await textOnly.handle(message('what colour is the sky?', [], 'text:1'));
    expect(reply.text).toBe('Blue.');
    expect(engine.calls[1]!.request.media).toBeUndefined();
  });

  it('several files: the first is used and the reply says so', async () => {
    const first = await greyPng(64, 64);
    const reply = await bot.handle(message('what?', [memoryAttachment(first, 'a.png'), memoryAttachment(first, 'b.png')]));
    expect(reply.notices.join(' ')).toMatch(/first one \(a\.png\)/);
  });

  it('an engine time-out is a polite, retryable error and saves nothing', async () => {
    const config = testConfig({ engine: { timeoutMs: 30 } });
    const slow = createBot({ config, engine, runtime });
    engine.enqueue({ text: 'This answer takes far too long to arrive.', delayMs: 20, chunkSize: 1 });
    const reply = await slow.handle(message('what?', [memoryAttachment(await greyPng(64, 64))]));
    expect(reply.error).toEqual({ code: 'engine-timeout', retryable: true });
    expect(reply.text).toMatch(/try again/);
    expect(await runtime.manager.read('test:conversation')).toBeUndefined();
  });

  it('an engine error part becomes a polite error reply', async () => {
    engine.enqueue({ text: 'x', error: new LegoError('engine-unavailable', 'gone') });
    const reply = await bot.handle(message('what?', [memoryAttachment(await greyPng(64, 64))]));
    expect(reply.error).toEqual({ code: 'engine-unavailable', retryable: true });
  });

  it('a follow-up after the tensor cache is empty re-reads the upload from the blob store', async () => {
    const config = testConfig({ bot: { preparedCacheEntries: 0 } });
    const noCache = createBot({ config, engine, runtime });
    const attachment = memoryAttachment(await greyPng(80, 40));
    engine.enqueue('A star [0.100, 0.300, 0.500, 0.700].', 'Still there.');
    await noCache.handle(message('where?', [attachment]));
    const second = await noCache.handle(message('what is in box 1?'));
    expect(second.error).toBeUndefined();
    expect(attachment.fetches).toBe(1);
    expect(engine.calls[1]!.request.media?.size).toEqual({ width: 80, height: 40 });
  });
});
