import sharp from 'sharp';
import { LegoError } from '../../src/errors';
import { decodeForDisplay } from '../../src/media/decode-for-display';
import { inspectImage } from '../../src/media/image-info';
import { resolveMediaOptions } from '../../src/media/options';
import { prepareImage } from '../../src/media/prepare-image';
import { headerOnlyPng } from './image-fixtures';

const SPEC = { size: 32, padRgb: [122, 116, 104], mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } as const;

async function failure(promise: Promise<unknown>): Promise<LegoError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LegoError);
    const lego = error as LegoError;
    // short, polite, no internals
    expect(lego.userMessage.length).toBeLessThan(140);
    expect(lego.userMessage).toMatch(/^Sorry/);
    expect(lego.userMessage).not.toMatch(/sharp|vips|ffmpeg|Error:/i);
    return lego;
  }
  throw new Error('expected a LegoError');
}

describe('bad image input gets a clear LegoError', () => {
  it('a zero-byte file', async () => {
    const error = await failure(prepareImage(Buffer.alloc(0), SPEC));
    expect(error.code).toBe('bad-input');
    expect(error.userMessage).toMatch(/empty/);
  });

  it('a truncated JPEG', async () => {
    const jpeg = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#884422' } }).jpeg().toBuffer();
    const error = await failure(prepareImage(jpeg.subarray(0, Math.floor(jpeg.length / 2)), SPEC));
    expect(error.code).toBe('media-corrupt');
    expect(error.userMessage).toMatch(/damaged/);
  });

  it('a text file named .png (the bytes decide, not the name)', async () => {
    const error = await failure(prepareImage(Buffer.from('hello, I am not a picture\n'.repeat(20)), SPEC));
    expect(error.code).toBe('unsupported-media');
  });

  it('an SVG (text that sharp could render, refused)', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    expect((await failure(prepareImage(svg, SPEC))).code).toBe('unsupported-media');
  });

  it('a 30000×30000 PNG is refused from its header, before decoding', async () => {
    const bomb = headerOnlyPng(30000, 30000);
    expect(bomb.length).toBeLessThan(100);
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const error = await failure(prepareImage(bomb, SPEC));
    expect(error.code).toBe('too-large');
    expect(error.userMessage).toMatch(/too big/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('a PNG within the side limit but over the pixel limit', async () => {
    const options = resolveMediaOptions({ maxImagePixels: 100 * 100 });
    const png = await sharp({ create: { width: 101, height: 100, channels: 3, background: '#000' } }).png().toBuffer();
    expect((await failure(prepareImage(png, SPEC, options))).code).toBe('too-large');
    await expect(prepareImage(png, SPEC, resolveMediaOptions({ maxImagePixels: 101 * 100 }))).resolves.toBeDefined();
  });

  it('a file over the byte limit, before anything else', async () => {
    const options = resolveMediaOptions({ maxImageBytes: 1000 });
    const error = await failure(inspectImage(Buffer.alloc(1001, 0xff), options));
    expect(error.code).toBe('too-large');
    expect(error.userMessage).toMatch(/too large/);
  });

  it('a PNG with a broken body', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123456' } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const broken = Buffer.from(png);
    broken.fill(0x41, 60, broken.length - 20);
    const error = await failure(decodeForDisplay(broken));
    expect(error.code).toBe('media-corrupt');
  });

  it('a video given as an image', async () => {
    const mp4Head = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(40)]);
    expect((await failure(prepareImage(mp4Head, SPEC))).code).toBe('unsupported-media');
  });
});
