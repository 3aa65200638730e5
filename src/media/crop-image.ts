import sharp from 'sharp';
import type { ImageSize, PixelBox } from '../grounding/types';
import { LegoError } from '../errors';
import { decodeImage } from './decode-image';
import { fromSharpError } from './media-errors';
import type { MediaOptions } from './options';
import { DEFAULT_MEDIA_OPTIONS } from './options';

export interface CropOptions {
  /** shrink (never enlarge) the crop so that its longest side is at most this */
  maxSide?: number;
  limits?: Pick<MediaOptions, 'maxImageBytes' | 'maxImagePixels' | 'maxImageSide'>;
}

export interface CroppedImage {
  /** the crop as PNG (RGB, flattened on white) */
  png: Buffer;
  /** the region cut out, in integer pixels of the original image as displayed (x2/y2 exclusive) */
  region: PixelBox;
  /** the original image as displayed */
  size: ImageSize;
  /** width and height of the PNG */
  width: number;
  height: number;
}

/**
 * The region around a box, for "zoom into box 2": the box grown by `marginFraction` of its width and
 * height on each side, clipped to the image, cut from the oriented image.
 */
export function cropRegion(box: PixelBox, size: ImageSize, marginFraction: number): PixelBox {
  if (![box.x1, box.y1, box.x2, box.y2, marginFraction].every(Number.isFinite) || marginFraction < 0) {
    throw new LegoError('bad-input', `invalid crop box ${JSON.stringify(box)} / margin ${marginFraction}`);
  }
  const left = Math.min(box.x1, box.x2);
  const right = Math.max(box.x1, box.x2);
  const top = Math.min(box.y1, box.y2);
  const bottom = Math.max(box.y1, box.y2);
  const mx = (right - left) * marginFraction;
  const my = (bottom - top) * marginFraction;
  const clamp = (v: number, max: number): number => Math.min(max, Math.max(0, v));
  let x1 = Math.floor(clamp(left - mx, size.width));
  let y1 = Math.floor(clamp(top - my, size.height));
  let x2 = Math.ceil(clamp(right + mx, size.width));
  let y2 = Math.ceil(clamp(bottom + my, size.height));
  if (x2 - x1 < 1) {
    x1 = Math.min(x1, size.width - 1);
    x2 = x1 + 1;
  }
  if (y2 - y1 < 1) {
    y1 = Math.min(y1, size.height - 1);
    y2 = y1 + 1;
  }
  return { x1, y1, x2, y2 };
}

/** Cut the region around `box` (pixels of the image as displayed) out of an image file, as PNG. */
export async function cropImage(
  bytes: Uint8Array,
  box: PixelBox,
  marginFraction = 0.1,
  options: CropOptions = {},
): Promise<CroppedImage> {
  const decoded = await decodeImage(bytes, options.limits ?? DEFAULT_MEDIA_OPTIONS, { alpha: 'flatten' });
  const { image } = decoded;
  const region = cropRegion(box, { width: image.width, height: image.height }, marginFraction);
  const width = region.x2 - region.x1;
  const height = region.y2 - region.y1;
  try {
    let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
      .extract({ left: region.x1, top: region.y1, width, height });
    if (options.maxSide !== undefined && Math.max(width, height) > options.maxSide) {
      pipeline = pipeline.resize({ width: options.maxSide, height: options.maxSide, fit: 'inside', kernel: 'lanczos3' });
    }
    const { data, info } = await pipeline.png().toBuffer({ resolveWithObject: true });
    return { png: data, region, size: decoded.size, width: info.width, height: info.height };
  } catch (error) {
    throw fromSharpError(error);
  }
}
