import sharp from 'sharp';
import type { ImageSpec } from '../engine/types';
import { LegoError } from '../errors';
import type { RawImage } from './raw-image';
import { squarePadding } from './square-padding';

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

/** Copy small RGB(A) pixels into an S×S RGB buffer filled with `padRgb`, centred (floor offsets). */
function padSmallToSquare(image: RawImage, padRgb: ImageSpec['padRgb']): { data: Buffer; side: number } {
  const pad = squarePadding(image);
  const side = pad.side;
  const out = Buffer.alloc(side * side * 3);
  const fill = Buffer.from([padRgb[0], padRgb[1], padRgb[2]]);
  for (let i = 0; i < out.length; i += 3) fill.copy(out, i);
  const rowBytes = image.width * 3;
  for (let y = 0; y < image.height; y += 1) {
    const target = ((y + pad.top) * side + pad.left) * 3;
    if (image.channels === 3) {
      image.data.copy(out, target, y * rowBytes, (y + 1) * rowBytes);
    } else {
      for (let x = 0, src = y * image.width * 4; x < image.width; x += 1, src += 4) {
        out[target + x * 3] = image.data[src] ?? 0;
        out[target + x * 3 + 1] = image.data[src + 1] ?? 0;
        out[target + x * 3 + 2] = image.data[src + 2] ?? 0;
      }
    }
  }
  return { data: out, side };
}

/**
 * LEGO's image preprocessing for pixels already decoded small (a sampled video frame, at most
 * `frameMaxSide`): padded to a centred square with `spec.padRgb` and resized bicubically (sharp's
 * `cubic`) to `spec.size` in one libvips call, then normalised (`normaliseSquare`). Images from files
 * go through `prepareImage`, whose pipeline never decodes them at full size.
 */
export async function imageToTensor(
  image: RawImage,
  spec: ImageSpec,
  out: Float32Array = new Float32Array(3 * spec.size * spec.size),
  offset = 0,
): Promise<Float32Array> {
  checkImageSpec(spec);
  const square = padSmallToSquare(image, spec.padRgb);
  const resized =
    square.side === spec.size
      ? square.data
      : await sharp(square.data, { raw: { width: square.side, height: square.side, channels: 3 } })
          .resize(spec.size, spec.size, { fit: 'fill', kernel: 'cubic' })
          .raw()
          .toBuffer();
  return normaliseSquare(resized, spec, out, offset);
}
