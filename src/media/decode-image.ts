import sharp from 'sharp';
import type { ImageSize } from '../grounding/types';
import type { ImageInfo } from './image-info';
import { inspectImage } from './image-info';
import { fromSharpError } from './media-errors';
import type { MediaOptions } from './options';
import { DEFAULT_MEDIA_OPTIONS } from './options';
import type { RawImage } from './raw-image';

export interface DecodeImageOptions {
  /** `flatten` (default) composes transparency on white and returns RGB; `keep` returns RGBA when the image has alpha */
  alpha?: 'flatten' | 'keep';
  /** shrink (never enlarge) so that the longest side is at most this */
  maxSide?: number;
}

export interface DecodedImage {
  /** oriented, 8-bit sRGB pixels (possibly shrunk by `maxSide`) */
  image: RawImage;
  /** the image as displayed, before any `maxSide` shrinking */
  size: ImageSize;
  info: ImageInfo;
}

type ImageLimits = Pick<MediaOptions, 'maxImageBytes' | 'maxImagePixels' | 'maxImageSide'>;

/**
 * Decode the first frame of an image the way people see it: EXIF orientation applied, CMYK, grey and
 * 16-bit turned into 8-bit sRGB, alpha flattened on white (unless `alpha: 'keep'`). The limits are
 * checked from the header first (`inspectImage`), and sharp's own pixel limit guards the decoder too.
 */
export async function decodeImage(
  bytes: Uint8Array,
  limits: ImageLimits = DEFAULT_MEDIA_OPTIONS,
  options: DecodeImageOptions = {},
): Promise<DecodedImage> {
  const info = await inspectImage(bytes, limits);
  const keepAlpha = options.alpha === 'keep' && info.hasAlpha;
  try {
    let pipeline = sharp(bytes, {
      limitInputPixels: limits.maxImagePixels,
      failOn: 'error',
      autoOrient: true,
      pages: 1,
      page: 0,
    });
    pipeline = keepAlpha ? pipeline.ensureAlpha() : pipeline.flatten({ background: { r: 255, g: 255, b: 255 } });
    pipeline = pipeline.toColourspace('srgb');
    if (!keepAlpha) pipeline = pipeline.removeAlpha();
    if (options.maxSide !== undefined && Math.max(info.size.width, info.size.height) > options.maxSide) {
      pipeline = pipeline.resize({
        width: options.maxSide,
        height: options.maxSide,
        fit: 'inside',
        withoutEnlargement: true,
        kernel: 'lanczos3',
      });
    }
    const { data, info: out } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const channels = out.channels;
    if (channels !== 3 && channels !== 4) throw new Error(`unexpected ${channels} channels after decoding`);
    const shrunk = out.width !== info.size.width || out.height !== info.size.height;
    const size = shrunk && options.maxSide !== undefined ? info.size : { width: out.width, height: out.height };
    return { image: { data, width: out.width, height: out.height, channels }, size, info };
  } catch (error) {
    throw fromSharpError(error);
  }
}
