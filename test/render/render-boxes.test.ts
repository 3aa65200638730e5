import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { GlobalFonts } from '@napi-rs/canvas';
import { ensureRenderFonts, RENDER_FONT_FAMILY } from '../../src/render/fonts';
import { REFERENCE_PALETTE, referenceColour, textColourOn } from '../../src/render/palette';
import type { RenderBox } from '../../src/render/render-boxes';
import { boxStyle, renderBoxes, replyPictureSize } from '../../src/render/render-boxes';
import { prepareImageAndDisplay } from '../../src/media/prepare-image';
import { orientedJpeg } from '../media/image-fixtures';
import { expectMatchesGolden } from './golden';
import { sceneJpeg } from './render-fixtures';

async function rgbAt(png: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (Math.round(y) * info.width + Math.round(x)) * 3;
  return [data[i] ?? -1, data[i + 1] ?? -1, data[i + 2] ?? -1];
}

function hexRgb(hex: string): [number, number, number] {
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

function near(actual: readonly number[], expected: readonly number[], tolerance = 30): boolean {
  return actual.every((v, i) => Math.abs(v - (expected[i] ?? 0)) <= tolerance);
}

const SCENE_BOXES: RenderBox[] = [
  { index: 1, pixels: { x1: 60, y1: 60, x2: 180, y2: 150 }, label: 'yellow block' },
  { index: 2, pixels: { x1: 400, y1: 220, x2: 540, y2: 330 }, label: 'blue block on the dark side' },
  { index: 3, pixels: { x1: 250, y1: 260, x2: 320, y2: 330 } },
  { index: 4, pixels: { x1: 520, y1: 0, x2: 640, y2: 80 }, label: 'a corner, tag kept inside' },
  { index: 5, pixels: { x1: 0, y1: 300, x2: 90, y2: 400 }, label: 'bottom left' },
  { index: 10, pixels: { x1: 240, y1: 20, x2: 330, y2: 120 }, label: 'yellow palette colour' },
];

describe('renderBoxes', () => {
  it('matches the golden image (numbered, coloured tags readable on light and dark)', async () => {
    const rendered = await renderBoxes(await sceneJpeg(), SCENE_BOXES);
    expect(rendered.scale).toBe(1);
    expect([rendered.width, rendered.height]).toEqual([640, 400]);
    await expectMatchesGolden(rendered.data, 'boxes-scene');
  });

  it('draws each box at its pixels in its reference colour', async () => {
    const white = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const rendered = await renderBoxes(white, [{ index: 2, pixels: { x1: 100, y1: 80, x2: 300, y2: 220 } }]);
    const { lineWidth } = boxStyle(400, 300);
    const green = hexRgb(referenceColour(2));
    // the stroke sits just inside the box edges
    expect(near(await rgbAt(rendered.data, 100 + lineWidth / 2, 150), green)).toBe(true);
    expect(near(await rgbAt(rendered.data, 300 - lineWidth / 2 - 0.5, 150), green)).toBe(true);
    expect(near(await rgbAt(rendered.data, 200, 220 - lineWidth / 2 - 0.5), green)).toBe(true);
    // inside and well outside stay white
    expect(await rgbAt(rendered.data, 200, 150)).toEqual([255, 255, 255]);
    expect(await rgbAt(rendered.data, 60, 150)).toEqual([255, 255, 255]);
  });

  it('lands on the object of an EXIF-rotated photo', async () => {
    const object = { x1: 200, y1: 40, x2: 260, y2: 100 };
    for (const orientation of [3, 6, 8]) {
      const jpeg = await orientedJpeg(320, 180, object, orientation);
      const rendered = await renderBoxes(jpeg, [{ index: 3, pixels: object }]);
      expect(rendered.size).toEqual({ width: 320, height: 180 });
      const blue = hexRgb(referenceColour(3));
      expect(near(await rgbAt(rendered.data, object.x1 + 1, 70), blue)).toBe(true);
      const inside = await rgbAt(rendered.data, 230, 70);
      expect(inside[0]).toBeGreaterThan(200);
      expect(inside[1]).toBeLessThan(60);
    }
  });

  it('shrinks to maxSide and reports the scale', async () => {
    const rendered = await renderBoxes(await sceneJpeg(), SCENE_BOXES, { maxSide: 320 });
    expect(rendered.scale).toBe(0.5);
    expect([rendered.width, rendered.height]).toEqual([320, 200]);
    expect(rendered.size).toEqual({ width: 640, height: 400 });
    const blue = hexRgb(referenceColour(2));
    const { lineWidth } = boxStyle(320, 200);
    expect(near(await rgbAt(rendered.data, 200 + lineWidth / 2, 140), blue, 40)).toBe(true);
    await expectMatchesGolden(rendered.data, 'boxes-scene-half');
  });

  it('sends photos as JPEG and flat synthetic images as PNG', async () => {
    const photo = await renderBoxes(await sceneJpeg(), SCENE_BOXES);
    expect([photo.format, photo.mime]).toEqual(['jpeg', 'image/jpeg']);
    expect((await sharp(photo.data).metadata()).format).toBe('jpeg');
    const flatPng = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#ddeeff' } }).png().toBuffer();
    const flat = await renderBoxes(flatPng, [{ index: 1, pixels: { x1: 10, y1: 10, x2: 100, y2: 100 }, label: 'a label' }]);
    expect([flat.format, flat.mime]).toEqual(['png', 'image/png']);
    const noisyPng = await sharp(randomBytes(300 * 200 * 3), { raw: { width: 300, height: 200, channels: 3 } }).png().toBuffer();
    expect((await renderBoxes(noisyPng, [])).format).toBe('jpeg');
  });

  it('decodes a large photo at the size sent and fits the upload limit on the first try', async () => {
    const big = await sharp(await sceneJpeg(640, 400)).resize(4000, 2500, { kernel: 'nearest' }).jpeg({ quality: 92 }).toBuffer();
    const limit = 1024 * 1024;
    const rendered = await renderBoxes(big, SCENE_BOXES.map((b) => ({ ...b, pixels: { x1: b.pixels.x1 * 6.25, y1: b.pixels.y1 * 6.25, x2: b.pixels.x2 * 6.25, y2: b.pixels.y2 * 6.25 } })), { maxSide: 2048, maxBytes: limit });
    expect(rendered.encodes).toBe(1);
    expect(rendered.data.length).toBeLessThanOrEqual(limit);
    expect(Math.max(rendered.width, rendered.height)).toBeLessThanOrEqual(2048);
    expect(rendered.size).toEqual({ width: 4000, height: 2500 });
    const blue = hexRgb(referenceColour(2));
    const { lineWidth } = boxStyle(rendered.width, rendered.height);
    expect(near(await rgbAt(rendered.data, 400 * 6.25 * rendered.scale + lineWidth / 2, 280 * 6.25 * rendered.scale), blue, 50)).toBe(true);
  });

  it('draws on the picture decoded once for the turn exactly as on the file, with nothing decoded again', async () => {
    const object = { x1: 2400, y1: 400, x2: 3200, y2: 1200 };
    const photo = await orientedJpeg(4000, 3000, object, 6);
    const boxes: RenderBox[] = [{ index: 1, pixels: object, label: 'the red block' }, { index: 2, pixels: { x1: 100, y1: 2500, x2: 900, y2: 2950 } }];
    const options = { maxSide: 1280 };
    const spec = { size: 96, padRgb: [122, 116, 104] as [number, number, number], mean: [0.5, 0.5, 0.5] as [number, number, number], std: [0.5, 0.5, 0.5] as [number, number, number] };
    const { display } = await prepareImageAndDisplay(photo, spec, (size) => replyPictureSize(size, options));
    // a quarter of the photo's side (within maxSide 1280): a box average after shrink-on-load, no fractional resample
    expect([display.image.width, display.image.height]).toEqual([1000, 750]);
    const fromFile = await renderBoxes(photo, boxes, options);
    const fromPicture = await renderBoxes(display, boxes, options);
    expect([fromPicture.width, fromPicture.height, fromPicture.scale, fromPicture.format]).toEqual([fromFile.width, fromFile.height, fromFile.scale, fromFile.format]);
    expect(fromPicture.size).toEqual({ width: 4000, height: 3000 });
    const a = await sharp(fromFile.data).raw().toBuffer();
    const b = await sharp(fromPicture.data).raw().toBuffer();
    expect(b.equals(a)).toBe(true);
    // a picture whose bytes were never a file: drawing on it cannot have decoded anything
    const painted = { ...display, image: { ...display.image, data: Buffer.alloc(display.image.data.length, 255) } };
    const onWhite = await renderBoxes(painted, boxes, options);
    expect(await rgbAt(onWhite.data, 640, 480)).toEqual([255, 255, 255]);
  });

  it('sends a large photo at its side halved, quartered or divided by 8 when that keeps 3/4 of maxSide', () => {
    const at = (width: number, height: number, maxSide = 1280) => replyPictureSize({ width, height }, { maxSide });
    expect(at(4000, 3000)).toEqual({ width: 1000, height: 750 }); // 1/4, not 1280×960
    expect(at(3000, 4000)).toEqual({ width: 750, height: 1000 });
    expect(at(4032, 3024)).toEqual({ width: 1008, height: 756 });
    expect(at(2000, 1500)).toEqual({ width: 1000, height: 750 }); // 1/2
    expect(at(8000, 6000)).toEqual({ width: 1000, height: 750 }); // 1/8
    // 1/2 would lose more than a quarter of the side (800 < 960), and 1/3 is no JPEG shrink-on-load scale
    expect(at(1600, 1200)).toEqual({ width: 1280, height: 960 });
    expect(at(3000, 2000)).toEqual({ width: 1280, height: 853 });
    expect(at(16000, 8000)).toEqual({ width: 1280, height: 640 }); // 1/16: beyond shrink-on-load
    // never enlarged; the byte limit still bounds it
    expect(at(640, 480)).toEqual({ width: 640, height: 480 });
    expect(Math.max(...Object.values(replyPictureSize({ width: 4000, height: 3000 }, { maxSide: 4000, maxBytes: 1024 * 1024 })))).toBeLessThanOrEqual(1024);
  });

  it('shrinks until the picture fits the upload limit', async () => {
    const noise = await sharp(randomBytes(600 * 600 * 3), { raw: { width: 600, height: 600, channels: 3 } }).png().toBuffer();
    const limit = 200 * 1024;
    const rendered = await renderBoxes(noise, [{ index: 1, pixels: { x1: 10, y1: 10, x2: 300, y2: 300 } }], { maxBytes: limit });
    expect(rendered.data.length).toBeLessThanOrEqual(limit);
    expect(rendered.scale).toBeLessThan(1);
    expect(rendered.width).toBe(Math.round(600 * rendered.scale));
  });

  it('scales line width and font with the image', () => {
    expect(boxStyle(320, 240).lineWidth).toBe(2);
    expect(boxStyle(3840, 2160).lineWidth).toBeGreaterThan(boxStyle(1280, 720).lineWidth);
    expect(boxStyle(3840, 2160).fontPx).toBeGreaterThan(boxStyle(1280, 720).fontPx);
  });

  it('refuses non-finite coordinates', async () => {
    await expect(renderBoxes(await sceneJpeg(), [{ index: 1, pixels: { x1: NaN, y1: 0, x2: 1, y2: 1 } }])).rejects.toMatchObject({ code: 'bad-input' });
  });
});

describe('palette and fonts', () => {
  it('gives each reference a fixed colour, cycling', () => {
    expect(referenceColour(1)).toBe(REFERENCE_PALETTE[0]);
    expect(referenceColour(REFERENCE_PALETTE.length + 1)).toBe(REFERENCE_PALETTE[0]);
    expect(new Set(REFERENCE_PALETTE).size).toBe(REFERENCE_PALETTE.length);
  });

  it('puts black text on light colours and white on dark ones', () => {
    expect(textColourOn('#ffe119')).toBe('#000000');
    expect(textColourOn('#4363d8')).toBe('#ffffff');
    expect(textColourOn('#800000')).toBe('#ffffff');
  });

  it('registers the shipped font once', () => {
    expect(ensureRenderFonts()).toBe(RENDER_FONT_FAMILY);
    const families = GlobalFonts.families.length;
    expect(ensureRenderFonts()).toBe(RENDER_FONT_FAMILY);
    expect(GlobalFonts.families.length).toBe(families);
    expect(GlobalFonts.has(RENDER_FONT_FAMILY)).toBe(true);
  });
});
