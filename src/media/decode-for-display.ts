import sharp from 'sharp';
import type { ImageSize } from '../grounding/types';
import type { DecodedImage } from './decode-image';
import { decodeImage } from './decode-image';
import type { ImageInfo } from './image-info';
import { fromSharpError } from './media-errors';
import type { MediaOptions } from './options';
import { DEFAULT_MEDIA_OPTIONS } from './options';
import type { RawImage } from './raw-image';

export interface DisplayOptions {
  /** shrink (never enlarge) so that the longest side is at most this */
  maxSide?: number;
  /** `keep` (default) returns RGBA for images with transparency; `flatten` composes them on white */
  alpha?: 'keep' | 'flatten';
  limits?: Pick<MediaOptions, 'maxImageBytes' | 'maxImagePixels' | 'maxImageSide'>;
}

/** Oriented pixels of an image, ready to draw on. */
export interface DisplayImage {
  image: RawImage;
  /** the image as displayed, before shrinking */
  size: ImageSize;
  /** `image.width / size.width`: 1 unless `maxSide` shrank it */
  scale: number;
  info: ImageInfo;
}

/** The same, encoded as PNG. */
export interface DisplayPng {
  png: Buffer;
  width: number;
  height: number;
  size: ImageSize;
  scale: number;
  info: ImageInfo;
}

function toDisplay(decoded: DecodedImage): DisplayImage {
  return { image: decoded.image, size: decoded.size, scale: decoded.image.width / decoded.size.width, info: decoded.info };
}

/**
 * Decode an image as people see it (EXIF orientation applied, 8-bit sRGB), as raw pixels or as a PNG,
 * for drawing boxes on it or showing it back. Limits are checked before decoding, as for the model.
 */
export async function decodeForDisplay(bytes: Uint8Array, options?: DisplayOptions & { format?: 'raw' }): Promise<DisplayImage>;
export async function decodeForDisplay(bytes: Uint8Array, options: DisplayOptions & { format: 'png' }): Promise<DisplayPng>;
export async function decodeForDisplay(
  bytes: Uint8Array,
  options: DisplayOptions & { format?: 'raw' | 'png' } = {},
): Promise<DisplayImage | DisplayPng> {
  const decoded = await decodeImage(bytes, options.limits ?? DEFAULT_MEDIA_OPTIONS, {
    alpha: options.alpha ?? 'keep',
    ...(options.maxSide === undefined ? {} : { maxSide: options.maxSide }),
  });
  const display = toDisplay(decoded);
  if (options.format !== 'png') return display;
  const { image } = display;
  try {
    const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
      .png()
      .toBuffer();
    return { png, width: image.width, height: image.height, size: display.size, scale: display.scale, info: display.info };
  } catch (error) {
    throw fromSharpError(error);
  }
}
