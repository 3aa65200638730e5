import sharp from 'sharp';
import { crc32 } from 'node:zlib';
import type { PixelBox } from '../../src/grounding/types';

export const RED = { r: 255, g: 0, b: 0 };
export const WHITE = { r: 255, g: 255, b: 255 };

/** Raw RGB pixels of a white image with a red rectangle at `box` (x2/y2 exclusive). */
export function redBoxRaw(width: number, height: number, box: PixelBox): Buffer {
  const data = Buffer.alloc(width * height * 3, 255);
  for (let y = box.y1; y < box.y2; y += 1) {
    for (let x = box.x1; x < box.x2; x += 1) {
      const i = (y * width + x) * 3;
      data[i + 1] = 0;
      data[i + 2] = 0;
    }
  }
  return data;
}

/**
 * The stored pixels that display as `displayed` under EXIF `orientation` (EXIF 2.3: the transform
 * from stored to displayed). Stored width/height are swapped for 5..8.
 */
export function storeForOrientation(
  displayed: Buffer,
  width: number,
  height: number,
  orientation: number,
): { data: Buffer; width: number; height: number } {
  const swap = orientation >= 5;
  const ws = swap ? height : width;
  const hs = swap ? width : height;
  const out = Buffer.alloc(ws * hs * 3);
  for (let ys = 0; ys < hs; ys += 1) {
    for (let xs = 0; xs < ws; xs += 1) {
      let xd: number;
      let yd: number;
      switch (orientation) {
        case 2: [xd, yd] = [ws - 1 - xs, ys]; break;
        case 3: [xd, yd] = [ws - 1 - xs, hs - 1 - ys]; break;
        case 4: [xd, yd] = [xs, hs - 1 - ys]; break;
        case 5: [xd, yd] = [ys, xs]; break;
        case 6: [xd, yd] = [hs - 1 - ys, xs]; break;
        case 7: [xd, yd] = [hs - 1 - ys, ws - 1 - xs]; break;
        case 8: [xd, yd] = [ys, ws - 1 - xs]; break;
        default: [xd, yd] = [xs, ys];
      }
      displayed.copy(out, (ys * ws + xs) * 3, (yd * width + xd) * 3, (yd * width + xd) * 3 + 3);
    }
  }
  return { data: out, width: ws, height: hs };
}

/** A JPEG whose displayed image is white with a red box, stored rotated/mirrored with EXIF `orientation`. */
export async function orientedJpeg(width: number, height: number, box: PixelBox, orientation: number): Promise<Buffer> {
  const stored = storeForOrientation(redBoxRaw(width, height, box), width, height, orientation);
  return sharp(stored.data, { raw: { width: stored.width, height: stored.height, channels: 3 } })
    .jpeg({ quality: 95, chromaSubsampling: '4:4:4' })
    .withMetadata({ orientation })
    .toBuffer();
}

/** A PNG that only claims to be huge: a valid header and a few bytes of data, no pixels. */
export function headerOnlyPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Bounding box (x2/y2 exclusive) of the pixels that are clearly red in RGB(A) data, or undefined. */
export function findRed(data: Buffer, width: number, height: number, channels: number): PixelBox | undefined {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * channels;
      if ((data[i] ?? 0) > 180 && (data[i + 1] ?? 255) < 80 && (data[i + 2] ?? 255) < 80) {
        x1 = Math.min(x1, x);
        y1 = Math.min(y1, y);
        x2 = Math.max(x2, x + 1);
        y2 = Math.max(y2, y + 1);
      }
    }
  }
  return Number.isFinite(x1) ? { x1, y1, x2, y2 } : undefined;
}
