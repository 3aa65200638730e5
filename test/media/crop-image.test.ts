import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { contentHash } from '../../src/conversation/content-hash';
import { cropImage, cropRegion } from '../../src/media/crop-image';
import { findRed, orientedJpeg } from './image-fixtures';

describe('cropRegion', () => {
  it('grows the box by the margin and clips it to the image', () => {
    expect(cropRegion({ x1: 10, y1: 10, x2: 30, y2: 20 }, { width: 100, height: 50 }, 0.5)).toEqual({ x1: 0, y1: 5, x2: 40, y2: 25 });
    expect(cropRegion({ x1: 90, y1: 40, x2: 100, y2: 50 }, { width: 100, height: 50 }, 1)).toEqual({ x1: 80, y1: 30, x2: 100, y2: 50 });
  });

  it('accepts reversed corners and keeps at least one pixel', () => {
    expect(cropRegion({ x1: 30, y1: 20, x2: 10, y2: 10 }, { width: 100, height: 50 }, 0)).toEqual({ x1: 10, y1: 10, x2: 30, y2: 20 });
    expect(cropRegion({ x1: 100, y1: 50, x2: 100, y2: 50 }, { width: 100, height: 50 }, 0)).toEqual({ x1: 99, y1: 49, x2: 100, y2: 50 });
  });
});

describe('cropImage', () => {
  it('cuts the region around a box out of the oriented image', async () => {
    const object = { x1: 200, y1: 40, x2: 260, y2: 100 };
    const jpeg = await orientedJpeg(320, 180, object, 6);
    const crop = await cropImage(jpeg, object, 0.5);
    expect(crop.size).toEqual({ width: 320, height: 180 });
    expect(crop.region).toEqual({ x1: 170, y1: 10, x2: 290, y2: 130 });
    const raw = await sharp(crop.png).raw().toBuffer({ resolveWithObject: true });
    expect(raw.info).toMatchObject({ width: 120, height: 120 });
    const red = findRed(raw.data, raw.info.width, raw.info.height, raw.info.channels);
    expect(red?.x1).toBeCloseTo(30, -0.5);
    expect(red?.y1).toBeCloseTo(30, -0.5);
  });

  it('shrinks a crop to maxSide', async () => {
    const jpeg = await orientedJpeg(320, 180, { x1: 0, y1: 0, x2: 10, y2: 10 }, 1);
    const crop = await cropImage(jpeg, { x1: 0, y1: 0, x2: 320, y2: 180 }, 0, { maxSide: 64 });
    expect([crop.width, crop.height]).toEqual([64, 36]);
  });
});

describe('contentHash', () => {
  it('is the hex sha256 of the bytes', () => {
    expect(contentHash(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('is remembered for large byte arrays (an upload is hashed once) and right for each', () => {
    const a = randomBytes(200 * 1024);
    const b = Buffer.from(a);
    b[0] = a[0]! ^ 1;
    const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
    expect(contentHash(a)).toBe(sha(a));
    expect(contentHash(a)).toBe(sha(a));
    expect(contentHash(b)).toBe(sha(b));
    expect(contentHash(new Uint8Array(a))).toBe(sha(a)); // same bytes in another array: same hash
  });
});
