import sharp from 'sharp';
import { createBot } from '../../src/bot/create-bot';
import { createConversationRuntime } from '../../src/conversation/conversation-runtime';
import { LegoError } from '../../src/errors';
import { referenceColour } from '../../src/render/palette';
import { FakeEngine } from '../helpers/fake-engine';
import { greyPng, hasColourNear, hexRgb, memoryAttachment, message, testConfig } from '../helpers/bot-fixtures';

const TWO_BOXES = 'A star [0.100, 0.300, 0.300, 0.500] and a cup [0.600, 0.500, 0.800, 0.700].';

describe('bot pipeline: references, sources, concurrency', () => {
  it('boxes are in pixels of the EXIF-oriented image and drawn there', async () => {
    // stored 200×100 with orientation 6: displayed 100×200. S = 200, padded 50 px left and right.
    const jpeg = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#808080' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const runtime = await createConversationRuntime({});
    const engine = new FakeEngine({ replies: ['The star [0.300, 0.100, 0.700, 0.400].'] });
    const bot = createBot({ config: testConfig(), engine, runtime });
    const reply = await bot.handle(message('where?', [memoryAttachment(jpeg, 'photo.jpg')]));
    expect(engine.calls[0]!.request.media?.size).toEqual({ width: 100, height: 200 });
    expect(reply.boxes[0]!.pixels).toEqual({ x1: 10, y1: 20, x2: 90, y2: 80 });
    const png = reply.files[0]!.data;
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([100, 200]);
    expect(await hasColourNear(png, 10, 50, hexRgb(referenceColour(1)))).toBe(true);
    await runtime.close();
  });

  it('"compare 1 and 2" sends both boxes; zoom into a box in the middle maps the answer back with the crop offset', async () => {
    const runtime = await createConversationRuntime({});
    const engine = new FakeEngine({ replies: [TWO_BOXES, 'The star is smaller.', 'A handle [0.250, 0.250, 0.750, 0.750].'] });
    const bot = createBot({ config: testConfig(), engine, runtime });
    // 400×400: model frame = pixels / 400. Box 2 = x 240..320, y 200..280.
    await bot.handle(message('what is there?', [memoryAttachment(await greyPng(400, 400))]));
    await bot.handle(message('compare 1 and 2'));
    const compare = engine.calls[1]!.request.turns.at(-1)!.text;
    expect(compare).toContain('[0.100, 0.300, 0.300, 0.500]');
    expect(compare).toContain('[0.600, 0.500, 0.800, 0.700]');
    const zoom = await bot.handle(message('zoom into 2'));
    // crop = box 2 (80×80) grown to the 64 px minimum (already bigger) plus 25 % margins: x 220..340, y 180..300
    const asked = engine.calls[2]!.request;
    expect(asked.media?.size).toEqual({ width: 120, height: 120 });
    expect(asked.turns).toEqual([{ role: 'user', text: 'What is in this image?' }]);
    // the answer's box on the crop [0.25..0.75] of 120 px = 30..90 → full image 250..310, 210..270
    expect(zoom.boxes).toHaveLength(1);
    const pixels = zoom.boxes[0]!.pixels;
    expect([pixels.x1, pixels.y1, pixels.x2, pixels.y2].map((v) => Math.round(v))).toEqual([250, 210, 310, 270]);
    const record = await runtime.manager.read('test:conversation');
    const region = record!.regions.find((r) => r.number === zoom.boxes[0]!.ref);
    expect(region?.kind === 'box' ? region.box : undefined).toEqual({ x1: 0.625, y1: 0.525, x2: 0.775, y2: 0.675 });
    const annotated = zoom.files.find((f) => f.kind === 'annotated-image')!.data;
    expect(await hasColourNear(annotated, 250, 240, hexRgb(referenceColour(zoom.boxes[0]!.ref)))).toBe(true);
    // a follow-up about the full image does not carry the crop's turns (their boxes are in the crop frame)
    engine.enqueue('Fine.');
    await bot.handle(message('anything else?'));
    const history = engine.calls[3]!.request.turns.map((t) => t.text).join(' | ');
    expect(history).not.toContain('[0.250, 0.250, 0.750, 0.750]');
    await runtime.close();
  });

  it('"zoom into the right one" crops the right box of the last answer and says which box it took; "the star" asks which when two are shown', async () => {
    const runtime = await createConversationRuntime({});
    const engine = new FakeEngine({ replies: [TWO_BOXES, 'A handle [0.250, 0.250, 0.750, 0.750].'] });
    const bot = createBot({ config: testConfig(), engine, runtime });
    await bot.handle(message('what is there?', [memoryAttachment(await greyPng(400, 400))]));
    const zoom = await bot.handle(message('zoom into the right one'));
    // the cup, box 2 (x 240..320, y 200..280): the same crop as "zoom into 2"
    expect(engine.calls[1]!.request.media?.size).toEqual({ width: 120, height: 120 });
    expect(zoom.files.map((f) => f.name)).toContain('lego-zoom.png');
    expect(zoom.notices).toContain('I took “the right one” as box 2 (cup).');
    expect((await runtime.manager.read('test:conversation'))!.turns.at(-2)!.text).toBe('zoom into the right one');
    engine.enqueue('A star [0.100, 0.300, 0.300, 0.500] and a star [0.400, 0.050, 0.500, 0.150].');
    await bot.handle(message('and the stars?'));
    const unclear = await bot.handle(message('zoom into the star'));
    // box 1 shown again keeps its number; the new star is box 4 (3 is the zoom's handle)
    expect(unclear.text).toMatch(/^“the star” could be box 1 \(star\) or box 4 \(star\)\. Which one\?/);
    expect(engine.calls).toHaveLength(3);
    await runtime.close();
  });

  it('"zoom into the handle" before any handle was shown: the model finds it, and the reply says how to look closer', async () => {
    const runtime = await createConversationRuntime({});
    const engine = new FakeEngine({ replies: [TWO_BOXES, 'The handle [0.300, 0.300, 0.400, 0.400].', 'A crack [0.250, 0.250, 0.750, 0.750].'] });
    const bot = createBot({ config: testConfig(), engine, runtime });
    await bot.handle(message('what is there?', [memoryAttachment(await greyPng(400, 400))]));
    const found = await bot.handle(message('zoom into the handle'));
    expect(engine.calls[1]!.request.media?.size).toEqual({ width: 400, height: 400 });
    expect(found.notices).toContain('That is where I found it (box 3): say “zoom into it” for a closer look.');
    const closer = await bot.handle(message('zoom into it'));
    // box 3 = x 120..160 (40 px) grown to the 64 px minimum and its margins: a crop smaller than the image
    expect(engine.calls[2]!.request.media!.size!.width).toBeLessThan(400);
    expect(closer.notices).toContain('I took “it” as box 3 (handle).');
    expect(closer.files.map((f) => f.name)).toContain('lego-zoom.png');
    await runtime.close();
  });

  it('"what was in the first image?" asks about that image again and says so', async () => {
    const runtime = await createConversationRuntime({});
    const engine = new FakeEngine({ replies: ['A star [0.100, 0.300, 0.300, 0.500].', 'A cup [0.600, 0.500, 0.800, 0.700].', 'A star.'] });
    const bot = createBot({ config: testConfig(), engine, runtime });
    await bot.handle(message('what is there?', [memoryAttachment(await greyPng(400, 400), 'first.png')]));
    await bot.handle(message('and here?', [memoryAttachment(await greyPng(300, 200), 'second.png')]));
    const back = await bot.handle(message('what was in the first image?'));
    expect(back.error).toBeUndefined();
    expect(engine.calls[2]!.request.media?.size).toEqual({ width: 400, height: 400 });
    expect(engine.calls[2]!.request.turns.at(-1)!.text).toBe('What was in this image?');
    expect(back.notices).toContain('I looked at image 1 (first.png) again.');
    await runtime.close();
  });

  it('earlier media with a platform URL are fetched again through message.fetchUrl; without it the reply asks for the file', async () => {
    const runtime = await createConversationRuntime({});
    const engine = new FakeEngine({ fallback: 'A star [0.100, 0.300, 0.300, 0.500].' });
    const bot = createBot({ config: testConfig({ bot: { preparedCacheEntries: 0 } }), engine, runtime });
    const image = await greyPng(90, 60);
    await bot.handle(message('where?', [memoryAttachment(image, 'a.png', { url: 'https://cdn.example/a.png' })], 'url:1'));
    const urls: string[] = [];
    const withFetch = { ...message('what is in box 1?', [], 'url:1'), fetchUrl: async (url: string) => (urls.push(url), image) };
    expect((await bot.handle(withFetch)).error).toBeUndefined();
    expect(urls).toEqual(['https://cdn.example/a.png']);
    const without = await bot.handle(message('what is in box 1?', [], 'url:1'));
    expect(without.error?.code).toBe('not-found');
    expect(without.text).toMatch(/send it again/);
    expect((await runtime.manager.read('url:1'))?.turns).toHaveLength(4);
    await runtime.close();
  });

  it('an attachment that declares more bytes than the limit is refused without downloading it', async () => {
    const runtime = await createConversationRuntime({});
    const bot = createBot({ config: testConfig({ media: { maxImageBytes: 1000 } }), engine: new FakeEngine(), runtime });
    const attachment = memoryAttachment(await greyPng(10, 10), 'big.png', { size: 50_000_000, contentType: 'image/png' });
    const reply = await bot.handle(message('what?', [attachment]));
    expect(reply.error?.code).toBe('too-large');
    expect(attachment.fetches).toBe(0);
    await runtime.close();
  });

  it('queue strategy drop: a message during an answer is skipped; the global cap answers busy, politely', async () => {
    const runtime = await createConversationRuntime({ queueStrategy: 'drop', maxConcurrentGenerations: 1, maxWaitingGenerations: 0 });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const engine = new FakeEngine({
      replies: [async () => (await held, 'Slow answer.')],
      fallback: 'Fast answer.',
    });
    const bot = createBot({ config: testConfig(), engine, runtime });
    const image = await greyPng(32, 32);
    const first = bot.handle(message('one', [memoryAttachment(image)], 'c:1'));
    await new Promise((r) => setTimeout(r, 100));
    const dropped = await bot.handle(message('two', [], 'c:1'));
    expect(dropped).toMatchObject({ text: '', skipped: 'dropped' });
    const busy = await bot.handle(message('three', [memoryAttachment(image)], 'c:2'));
    expect(busy.error).toEqual({ code: 'busy', retryable: true });
    expect(busy.text).toMatch(/busy/);
    release();
    expect((await first).text).toBe('Slow answer.');
    await runtime.close();
  });

  it('a failing progress callback does not fail the answer; an aborted message saves nothing', async () => {
    const runtime = await createConversationRuntime({});
    const engine = new FakeEngine({ replies: ['Fine [0.100, 0.100, 0.200, 0.200].', { text: 'A long answer that will be cut off.', delayMs: 30 }] });
    const bot = createBot({ config: testConfig(), engine, runtime });
    const reply = await bot.handle(message('what?', [memoryAttachment(await greyPng(32, 32))], 'p:1'), {
      typing: () => {
        throw new Error('typing failed');
      },
      partial: async () => {
        throw new LegoError('platform-error', 'edit failed');
      },
    });
    expect(reply.error).toBeUndefined();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 60);
    const aborted = await bot.handle(message('and?', [], 'p:1'), {}, controller.signal);
    expect(aborted.error?.code).toBe('aborted');
    expect((await runtime.manager.read('p:1'))?.turns).toHaveLength(2);
    await runtime.close();
  });
});
