import type { ImageSpec, PreparedImage } from '../engine/types';
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
