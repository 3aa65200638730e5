import type { ImageSpec, PreparedImage } from '../engine/types';
import type { ImageSize } from '../grounding/types';
import type { ImageInfo } from './image-info';
import { inspectImage } from './image-info';
import { decodeCost, orientedPipeline, PRESHRINK_FACTOR, toPaddedSquare, underDecodeBudget } from './image-pipeline';
import { checkImageSpec, normaliseSquare } from './image-tensor';
import { fromSharpError } from './media-errors';
import type { ImageLimits } from './options';
import { DEFAULT_MEDIA_OPTIONS } from './options';

export interface PrepareCall {
  signal?: AbortSignal | undefined;
}

/**
 * Turn an uploaded image file into the tensor an engine takes (bundle format, "Media preprocessing"):
 * checked against the limits from its header before anything is decoded, then ONE libvips pipeline
 * under the decode budget — first frame, EXIF orientation, alpha flattened on white, 8-bit sRGB,
 * shrink-on-load to a few times the model's size, padded to a centred square with `spec.padRgb` and
 * resized (bicubic) to `spec.size` — and the normalisation on the small square only. `size` is the image as displayed.
 */
export async function prepareImage(
  bytes: Uint8Array,
  spec: ImageSpec,
  options: ImageLimits = DEFAULT_MEDIA_OPTIONS,
  call: PrepareCall = {},
): Promise<PreparedImage> {
  checkImageSpec(spec);
  const info = await inspectImage(bytes, options);
  const square = await underDecodeBudget(
    options,
    decodeCost(info, PRESHRINK_FACTOR * spec.size, 3 * (PRESHRINK_FACTOR * spec.size) ** 2),
    async () => {
      try {
        return await toPaddedSquare(orientedPipeline(bytes, options), info.size, spec.size, spec.padRgb);
      } catch (error) {
        throw fromSharpError(error);
      }
    },
    call.signal,
  );
  return { kind: 'image', size: info.size, pixelValues: normaliseSquare(square, spec) };
}

/** A resolution budget for a source image: its longest side and/or its pixel count. */
export interface SourceImageBudget {
  maxSide?: number;
  maxPixels?: number;
  /** `jpeg` (default) or `png`, `webp` */
  format?: 'jpeg' | 'png' | 'webp';
  /** JPEG/WebP quality, 1..100 (default 90) */
  quality?: number;
}

export interface SourceImage {
  data: Buffer;
  mime: string;
  width: number;
  height: number;
  /** the image as displayed, before shrinking */
  size: ImageSize;
  info: ImageInfo;
}

/** The largest size within the budget, never enlarged, aspect kept. */
export function fitBudget(size: ImageSize, budget: Pick<SourceImageBudget, 'maxSide' | 'maxPixels'>): ImageSize {
  let scale = 1;
  if (budget.maxSide !== undefined) scale = Math.min(scale, budget.maxSide / Math.max(size.width, size.height));
  if (budget.maxPixels !== undefined) scale = Math.min(scale, Math.sqrt(budget.maxPixels / (size.width * size.height)));
  if (scale >= 1) return size;
  let width = Math.max(1, Math.floor(size.width * scale));
  let height = Math.max(1, Math.floor(size.height * scale));
  if (budget.maxPixels !== undefined) {
    while (width * height > budget.maxPixels && (width > 1 || height > 1)) {
      if (width >= height) width -= 1;
      else height -= 1;
    }
  }
  return { width, height };
}

/**
 * The image as displayed (oriented, flattened on white, sRGB) at a resolution budget, re-encoded, from
 * the same checked, budgeted, shrink-on-load pipeline as `prepareImage`: what a remote model that
 * takes pictures, not tensors, is sent.
 */
export async function prepareSourceImage(
  bytes: Uint8Array,
  budget: SourceImageBudget,
  options: ImageLimits = DEFAULT_MEDIA_OPTIONS,
  call: PrepareCall = {},
): Promise<SourceImage> {
  const info = await inspectImage(bytes, options);
  const target = fitBudget(info.size, budget);
  const format = budget.format ?? 'jpeg';
  const quality = budget.quality ?? 90;
  return underDecodeBudget(
    options,
    decodeCost(info, Math.max(target.width, target.height), target.width * target.height * 3),
    async () => {
      try {
        let pipeline = orientedPipeline(bytes, options);
        if (target.width !== info.size.width || target.height !== info.size.height) {
          pipeline = pipeline.resize(target.width, target.height, { fit: 'fill', kernel: 'lanczos3' });
        }
        pipeline =
          format === 'png'
            ? pipeline.png({ compressionLevel: 6 })
            : format === 'webp'
              ? pipeline.webp({ quality })
              : pipeline.jpeg({ quality, mozjpeg: false, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0' });
        const { data, info: out } = await pipeline.toBuffer({ resolveWithObject: true });
        return { data, mime: `image/${format}`, width: out.width, height: out.height, size: info.size, info };
      } catch (error) {
        throw fromSharpError(error);
      }
    },
    call.signal,
  );
}
