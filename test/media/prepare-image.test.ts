import sharp from 'sharp';
import type { ImageSpec } from '../../src/engine/types';
import { modelBoxToPixels, pixelBoxToModel } from '../../src/grounding/coordinate-frames';
import type { PixelBox } from '../../src/grounding/types';
import { decodeForDisplay } from '../../src/media/decode-for-display';
import { decodeImage } from '../../src/media/decode-image';
import { inspectImage } from '../../src/media/image-info';
import { prepareImage } from '../../src/media/prepare-image';
import { squarePadding } from '../../src/media/square-padding';
import { findRed, orientedJpeg } from './image-fixtures';

const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;
const PAD = [122, 116, 104] as const;

function spec(size: number): ImageSpec {
  return { size, padRgb: PAD, mean: CLIP_MEAN, std: CLIP_STD };
}

function norm(value: number, channel: number): number {
  return (value / 255 - (CLIP_MEAN[channel] ?? 0)) / (CLIP_STD[channel] ?? 1);
}

/** The value of channel c at (x, y) of a [3, S, S] tensor, back in 0..255. */
function pixel(t: Float32Array, size: number, x: number, y: number): [number, number, number] {
  const at = (c: number): number => ((t[c * size * size + y * size + x] ?? 0) * (CLIP_STD[c] ?? 1) + (CLIP_MEAN[c] ?? 0)) * 255;
  return [at(0), at(1), at(2)];
}

async function solid(width: number, height: number, rgb: { r: number; g: number; b: number }): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: rgb } }).png().toBuffer();
}

describe('prepareImage', () => {
  it('normalises with the spec mean/std into a CHW tensor of the spec size', async () => {
    const prepared = await prepareImage(await solid(40, 40, { r: 200, g: 100, b: 50 }), spec(16));
    expect(prepared.kind).toBe('image');
    expect(prepared.size).toEqual({ width: 40, height: 40 });
    expect(prepared.pixelValues).toHaveLength(3 * 16 * 16);
    const plane = 16 * 16;
    expect(prepared.pixelValues[0]).toBeCloseTo(norm(200, 0), 4);
    expect(prepared.pixelValues[plane + 100]).toBeCloseTo(norm(100, 1), 4);
    expect(prepared.pixelValues[2 * plane + 255]).toBeCloseTo(norm(50, 2), 4);
  });

  it.each([
    ['landscape', 200, 100],
    ['landscape, odd padding', 200, 101],
    ['portrait', 101, 200],
    ['square', 150, 150],
  ])('pads a %s image to a centred square with pad_rgb, floor offsets', async (_name, width, height) => {
    // spec.size = S: no resampling, so every pixel can be checked exactly
    const S = Math.max(width, height);
    const pad = squarePadding({ width, height });
    expect(pad.left).toBe(Math.floor((S - width) / 2));
    expect(pad.top).toBe(Math.floor((S - height) / 2));
    const t = (await prepareImage(await solid(width, height, { r: 255, g: 255, b: 255 }), spec(S))).pixelValues;
    const isPad = (x: number, y: number): boolean => pixel(t, S, x, y).every((v, c) => Math.abs(v - (PAD[c] ?? 0)) < 0.01);
    const isWhite = (x: number, y: number): boolean => pixel(t, S, x, y).every((v) => Math.abs(v - 255) < 0.01);
    if (pad.top > 0) {
      expect(isPad(S >> 1, pad.top - 1)).toBe(true);
      expect(isPad(S >> 1, pad.top + height)).toBe(true);
    }
    if (pad.left > 0) {
      expect(isPad(pad.left - 1, S >> 1)).toBe(true);
      expect(isPad(pad.left + width, S >> 1)).toBe(true);
    }
    expect(isWhite(pad.left, pad.top)).toBe(true);
    expect(isWhite(pad.left + width - 1, pad.top + height - 1)).toBe(true);
  });

  it('resizes bicubically (sharp cubic) after padding', async () => {
    const input = await solid(300, 100, { r: 0, g: 0, b: 255 });
    const t = (await prepareImage(input, spec(30))).pixelValues;
    // the image occupies rows 10..19 of the 30×30 result; rows 0..8 are pure pad
    expect(pixel(t, 30, 15, 2).map(Math.round)).toEqual([...PAD]);
    expect(pixel(t, 30, 15, 15).map((v) => Math.round(v) + 0)).toEqual([0, 0, 255]);
  });
});

describe('a box given in the padded frame lands on the object', () => {
  const cases: [string, number, number, PixelBox][] = [
    ['landscape', 320, 180, { x1: 220, y1: 30, x2: 280, y2: 90 }],
    ['portrait', 180, 320, { x1: 20, y1: 200, x2: 80, y2: 260 }],
    ['square', 240, 240, { x1: 150, y1: 40, x2: 210, y2: 100 }],
  ];

  for (const orientation of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it.each(cases)(`%s JPEG with EXIF orientation ${orientation}`, async (_name, width, height, object) => {
      const jpeg = await orientedJpeg(width, height, object, orientation);
      const info = await inspectImage(jpeg);
      expect(info.orientation).toBe(orientation);
      expect(info.size).toEqual({ width, height });

      // The display image is upright: the red object is where it was drawn.
      const display = await decodeForDisplay(jpeg);
      expect(display.size).toEqual({ width, height });
      const found = findRed(display.image.data, display.image.width, display.image.height, display.image.channels);
      expect(found).toBeDefined();
      for (const key of ['x1', 'y1', 'x2', 'y2'] as const) expect(Math.abs((found?.[key] ?? -99) - object[key])).toBeLessThanOrEqual(1);

      // The model's view: the object's box in LEGO's padded frame covers red in the prepared tensor…
      const modelBox = pixelBoxToModel(object, { width, height });
      const size = 96;
      const t = (await prepareImage(jpeg, spec(size))).pixelValues;
      const cx = Math.round(((modelBox.x1 + modelBox.x2) / 2) * size);
      const cy = Math.round(((modelBox.y1 + modelBox.y2) / 2) * size);
      const [r, g, b] = pixel(t, size, cx, cy);
      expect(r).toBeGreaterThan(200);
      expect(g).toBeLessThan(60);
      expect(b).toBeLessThan(60);
      // …and just outside it is white or pad, not red
      const outside = pixel(t, size, Math.round(modelBox.x1 * size) - 3, cy);
      expect(outside[1]).toBeGreaterThan(90);

      // …and that box, mapped back to pixels of the displayed image, is the object.
      const back = modelBoxToPixels(modelBox, { width, height });
      for (const key of ['x1', 'y1', 'x2', 'y2'] as const) expect(back[key]).toBeCloseTo(object[key], 6);
    });
  }
});

describe('decoding', () => {
  const formats = ['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff'] as const;
  it.each(formats)('reads %s and reports the displayed size', async (format) => {
    const bytes = await sharp({ create: { width: 37, height: 23, channels: 3, background: { r: 10, g: 200, b: 30 } } })
      .toFormat(format)
      .toBuffer();
    const decoded = await decodeImage(bytes);
    expect(decoded.size).toEqual({ width: 37, height: 23 });
    expect(decoded.image.channels).toBe(3);
    expect(decoded.image.data).toHaveLength(37 * 23 * 3);
    const g = decoded.image.data[Math.floor(decoded.image.data.length / 2 / 3) * 3 + 1] ?? 0;
    expect(g).toBeGreaterThan(150);
  });

  it('flattens transparency on white', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    const decoded = await decodeImage(png);
    expect([...decoded.image.data.subarray(0, 3)]).toEqual([255, 255, 255]);
    const kept = await decodeForDisplay(png);
    expect(kept.image.channels).toBe(4);
  });

  it('turns CMYK and 16-bit images into 8-bit sRGB', async () => {
    const cmyk = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 255, g: 255, b: 255 } } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer();
    expect((await inspectImage(cmyk)).space).toBe('cmyk');
    const fromCmyk = await decodeImage(cmyk);
    expect(fromCmyk.image.channels).toBe(3);
    expect(fromCmyk.image.data[0]).toBeGreaterThan(240);

    const png16 = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 0, g: 0, b: 255 } } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await inspectImage(png16)).depth).toBe('ushort');
    const from16 = await decodeImage(png16);
    expect([...from16.image.data.subarray(0, 3)]).toEqual([0, 0, 255]);

    const grey = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .greyscale()
      .toColourspace('b-w')
      .png()
      .toBuffer();
    const fromGrey = await decodeImage(grey);
    expect(fromGrey.image.channels).toBe(3);
  });

  it('uses the first frame of an animated GIF', async () => {
    const red = await sharp({ create: { width: 12, height: 10, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
    const blue = await sharp({ create: { width: 12, height: 10, channels: 3, background: { r: 0, g: 0, b: 255 } } }).png().toBuffer();
    const green = await sharp({ create: { width: 12, height: 10, channels: 3, background: { r: 0, g: 255, b: 0 } } }).png().toBuffer();
    const gif = await sharp([red, blue, green], { join: { animated: true } }).gif().toBuffer();
    const info = await inspectImage(gif);
    expect(info.pages).toBe(3);
    expect(info.size).toEqual({ width: 12, height: 10 });
    const decoded = await decodeImage(gif);
    expect(decoded.size).toEqual({ width: 12, height: 10 });
    expect(decoded.image.data[0]).toBeGreaterThan(200);
    expect(decoded.image.data[2]).toBeLessThan(60);
  });
});
