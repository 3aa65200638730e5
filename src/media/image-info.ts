import sharp from 'sharp';
import type { Metadata } from 'sharp';
import type { ImageSize } from '../grounding/types';
import {
  emptyFileError,
  fileTooLargeError,
  fromSharpError,
  imageTooManyPixelsError,
  unsupportedMediaError,
} from './media-errors';
import type { MediaOptions } from './options';
import { DEFAULT_MEDIA_OPTIONS } from './options';
import { sniffMedia } from './sniff-media';

/** What an image file's header says, checked against the limits; nothing has been decoded yet. */
export interface ImageInfo {
  /** from the bytes, not the file name: jpeg, png, gif, webp, tiff, avif, heif */
  format: string;
  mime: string;
  bytes: number;
  /** as stored in the file (first frame) */
  storedSize: ImageSize;
  /** as displayed, after EXIF orientation */
  size: ImageSize;
  /** EXIF orientation 1..8 (1 when absent) */
  orientation: number;
  /** frames/pages in the file; only the first is used */
  pages: number;
  hasAlpha: boolean;
  /** colour space as stored, e.g. srgb, cmyk, b-w, rgb16 */
  space: string;
  /** sample format as stored, e.g. uchar, ushort */
  depth: string;
}

type ImageLimits = Pick<MediaOptions, 'maxImageBytes' | 'maxImagePixels' | 'maxImageSide'>;

const SHARP_IMAGE_FORMATS = new Set(['jpeg', 'png', 'gif', 'webp', 'tiff', 'avif', 'heic', 'heif']);

/** Orientations 5..8 swap width and height. */
function displayedSize(stored: ImageSize, orientation: number): ImageSize {
  return orientation >= 5 && orientation <= 8 ? { width: stored.height, height: stored.width } : stored;
}

/**
 * Read an image's header and check it against the limits BEFORE anything is decoded: the byte limit,
 * the real type sniffed from the bytes, and the pixel/side limits from the header (a tiny PNG that
 * claims 30000×30000 is refused here). Throws a LegoError (`bad-input`, `too-large`,
 * `unsupported-media`, `media-corrupt`).
 */
export async function inspectImage(bytes: Uint8Array, limits: ImageLimits = DEFAULT_MEDIA_OPTIONS): Promise<ImageInfo> {
  if (bytes.length === 0) throw emptyFileError();
  if (bytes.length > limits.maxImageBytes) throw fileTooLargeError('image', bytes.length, limits.maxImageBytes);
  const sniffed = sniffMedia(bytes);
  if (!sniffed || sniffed.kind !== 'image' || !SHARP_IMAGE_FORMATS.has(sniffed.format)) {
    const what = sniffed ? `${sniffed.kind}/${sniffed.format}` : 'unknown bytes';
    throw unsupportedMediaError(`not an image we read: ${what}`, 'image');
  }
  let metadata: Metadata;
  try {
    // The header only: no pixel limit here, we check the numbers ourselves just below.
    metadata = await sharp(bytes, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (error) {
    throw fromSharpError(error);
  }
  const pageHeight = metadata.pageHeight ?? metadata.height;
  const stored = { width: metadata.width, height: pageHeight };
  if (!(stored.width > 0 && stored.height > 0)) throw fromSharpError(new Error('image has no size'));
  const pixels = stored.width * stored.height;
  if (pixels > limits.maxImagePixels || Math.max(stored.width, stored.height) > limits.maxImageSide) {
    throw imageTooManyPixelsError(stored.width, stored.height, limits.maxImagePixels, limits.maxImageSide);
  }
  const orientation = metadata.orientation ?? 1;
  return {
    format: sniffed.format,
    mime: sniffed.mime,
    bytes: bytes.length,
    storedSize: stored,
    size: displayedSize(stored, orientation),
    orientation,
    pages: metadata.pages ?? 1,
    hasAlpha: metadata.hasAlpha,
    space: metadata.space,
    depth: metadata.depth,
  };
}
