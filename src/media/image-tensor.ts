import type { ImageSpec } from '../engine/types';
import { LegoError } from '../errors';
import { rawPipeline, toPaddedSquare } from './image-pipeline';
import type { RawImage } from './raw-image';

export function checkImageSpec(spec: ImageSpec): void {
  const ok =
    Number.isInteger(spec.size) &&
    spec.size > 0 &&
    spec.padRgb.every((v) => Number.isFinite(v) && v >= 0 && v <= 255) &&
    spec.std.every((v) => Number.isFinite(v) && v !== 0) &&
    spec.mean.every((v) => Number.isFinite(v));
  if (!ok) throw new LegoError('bundle-invalid', `invalid image spec: ${JSON.stringify(spec)}`);
}

/**
 * The model's normalisation of an RGB `spec.size`² square (interleaved, 8-bit): scale to 0..1,
 * `(x − mean) / std` per channel, CHW layout. Writes `3 × size × size` floats into `out` at `offset`
 * (for video frames) or into a new array. Runs on the small square only.
 */
export function normaliseSquare(
  rgb: Uint8Array,
  spec: ImageSpec,
  out: Float32Array = new Float32Array(3 * spec.size * spec.size),
  offset = 0,
): Float32Array {
  const plane = spec.size * spec.size;
  if (rgb.length < 3 * plane) throw new LegoError('internal', `square of ${rgb.length} bytes, expected ${3 * plane}`);
  if (out.length < offset + 3 * plane) throw new LegoError('internal', 'tensor buffer too small');
  for (let c = 0; c < 3; c += 1) {
    const std = spec.std[c] ?? 1;
    const scale = 1 / (255 * std);
    const bias = (spec.mean[c] ?? 0) / std;
    const base = offset + c * plane;
    for (let i = 0, src = c; i < plane; i += 1, src += 3) {
      out[base + i] = (rgb[src] ?? 0) * scale - bias;
    }
  }
  return out;
}

/**
 * LEGO's image preprocessing for pixels already decoded (a sampled video frame): padded to a centred
 * square with `spec.padRgb` and resized bicubically to `spec.size`, inside libvips, then
 * normalised (`normaliseSquare`). Frames are small (`frameMaxSide`), so this is the bundle's
 * pad-then-resize exactly.
 */
export async function imageToTensor(
  image: RawImage,
  spec: ImageSpec,
  out: Float32Array = new Float32Array(3 * spec.size * spec.size),
  offset = 0,
): Promise<Float32Array> {
  checkImageSpec(spec);
  const square = await toPaddedSquare(rawPipeline(image), image, spec.size, spec.padRgb);
  return normaliseSquare(square, spec, out, offset);
}
