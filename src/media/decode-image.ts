import type { ImageSize } from '../grounding/types';
import type { ImageInfo } from './image-info';
import { inspectImage } from './image-info';
import { decodeCost, orientedPipeline, underDecodeBudget } from './image-pipeline';
import { fromSharpError } from './media-errors';
import type { ImageLimits } from './options';
import { DEFAULT_MEDIA_OPTIONS } from './options';
import type { RawImage } from './raw-image';

export interface DecodeImageOptions {
  /** `flatten` (default) composes transparency on white and returns RGB; `keep` returns RGBA when the image has alpha */
  alpha?: 'flatten' | 'keep';
  /** shrink (never enlarge) so that the longest side is at most this */
  maxSide?: number;
  signal?: AbortSignal | undefined;
}

export interface DecodedImage {
  /** oriented, 8-bit sRGB pixels (possibly shrunk by `maxSide`) */
  image: RawImage;
  /** the image as displayed, before any `maxSide` shrinking */
  size: ImageSize;
  info: ImageInfo;
}

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
  const shrinks = options.maxSide !== undefined && Math.max(info.size.width, info.size.height) > options.maxSide;
  const outSide = shrinks ? options.maxSide : Math.max(info.size.width, info.size.height);
  const outBytes = (keepAlpha ? 4 : 3) * (outSide ?? 0) ** 2;
  return underDecodeBudget(limits, decodeCost(info, outSide, outBytes), () => decodeChecked(bytes, info, limits, keepAlpha, shrinks ? options.maxSide : undefined), options.signal);
}

async function decodeChecked(
  bytes: Uint8Array,
  info: ImageInfo,
  limits: ImageLimits,
  keepAlpha: boolean,
  maxSide: number | undefined,
): Promise<DecodedImage> {
  try {
    let pipeline = orientedPipeline(bytes, limits, keepAlpha ? 'keep' : 'flatten');
    if (maxSide !== undefined) {
      pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true, kernel: 'lanczos3' });
    }
    const { data, info: out } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const channels = out.channels;
    if (channels !== 3 && channels !== 4) throw new Error(`unexpected ${channels} channels after decoding`);
    const size = maxSide !== undefined ? info.size : { width: out.width, height: out.height };
    return { image: { data, width: out.width, height: out.height, channels }, size, info };
  } catch (error) {
    throw fromSharpError(error);
  }
}
