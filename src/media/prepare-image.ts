import sharp from 'sharp';
import type { ImageSpec, PreparedImage } from '../engine/types';
import type { ImageSize } from '../grounding/types';
import { inspectImage } from './image-info';
import { decodeCost, orientedPipeline, PRESHRINK_FACTOR, toPaddedSquare, underDecodeBudget } from './image-pipeline';
import { checkImageSpec, normaliseSquare } from './image-tensor';
import { fromSharpError } from './media-errors';
import type { ImageLimits } from './options';
import { DEFAULT_MEDIA_OPTIONS } from './options';
import type { RawImage } from './raw-image';

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

/**
 * An image decoded once at the size it is shown back (the annotated reply), as people see it: EXIF
 * orientation applied, flattened on white, 8-bit sRGB RGB — exactly the picture the reply renderer's
 * own pipeline would decode at that size.
 */
export interface DisplayPicture {
  image: RawImage;
  /** the image as displayed, before shrinking */
  size: ImageSize;
  /** the file's format (`jpeg`, `png`…): photos go back as JPEG */
  format: string;
}

/**
 * The engine's tensor and the reply's picture from ONE decode (issue 23): the file is decoded with
 * shrink-on-load straight to `displaySize(size)` (lanczos3, never enlarged), and the tensor is made from
 * that small picture by the same pad-then-resize as `prepareImage`. An image no larger than the display
 * size is decoded at full size, so its tensor is `prepareImage`'s exactly below PRESHRINK_FACTOR × 2 ×
 * the model's side; a larger one is within the tolerance test/media/image-parity.test.ts states.
 */
export async function prepareImageAndDisplay(
  bytes: Uint8Array,
  spec: ImageSpec,
  displaySize: (size: ImageSize) => ImageSize,
  options: ImageLimits = DEFAULT_MEDIA_OPTIONS,
  call: PrepareCall = {},
): Promise<{ prepared: PreparedImage; display: DisplayPicture }> {
  checkImageSpec(spec);
  const info = await inspectImage(bytes, options);
  const wanted = displaySize(info.size);
  const shrinks = wanted.width < info.size.width || wanted.height < info.size.height;
  const target = shrinks
    ? { width: Math.max(1, Math.min(info.size.width, Math.round(wanted.width))), height: Math.max(1, Math.min(info.size.height, Math.round(wanted.height))) }
    : info.size;
  const side = Math.max(target.width, target.height);
  const cost = decodeCost(info, side, 3 * target.width * target.height + 3 * (PRESHRINK_FACTOR * spec.size) ** 2);
  const { image, square } = await underDecodeBudget(
    options,
    cost,
    async () => {
      try {
        let pipeline = orientedPipeline(bytes, options);
        if (shrinks) pipeline = pipeline.resize(target.width, target.height, { fit: 'fill', kernel: 'lanczos3' });
        const { data, info: out } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
        // kept for follow-ups (the prepared-media cache): copied out of the buffer libvips allocated on its
        // worker thread, so that glibc can reuse and trim that thread's arena once the decode is over
        // instead of keeping it pinned under a long-lived picture (bench:photo --only web: ~15 MB less at
        // the peak of 22 turns, for a 2 MB copy)
        const picture: RawImage = { data: Buffer.from(data), width: out.width, height: out.height, channels: 3 };
        const raw = sharp(data, { raw: { width: out.width, height: out.height, channels: 3 } });
        return { image: picture, square: await toPaddedSquare(raw, { width: out.width, height: out.height }, spec.size, spec.padRgb) };
      } catch (error) {
        throw fromSharpError(error);
      }
    },
    call.signal,
  );
  return {
    prepared: { kind: 'image', size: info.size, pixelValues: normaliseSquare(square, spec) },
    display: { image, size: info.size, format: info.format },
  };
}
