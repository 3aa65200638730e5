import sharp from 'sharp';
import type { ImageSpec } from '../engine/types';
import { LegoError } from '../errors';
import type { RawImage } from './raw-image';
import { squarePadding } from './square-padding';

function checkSpec(spec: ImageSpec): void {
  const ok =
    Number.isInteger(spec.size) &&
    spec.size > 0 &&
    spec.padRgb.every((v) => Number.isFinite(v) && v >= 0 && v <= 255) &&
    spec.std.every((v) => Number.isFinite(v) && v !== 0) &&
    spec.mean.every((v) => Number.isFinite(v));
  if (!ok) throw new LegoError('bundle-invalid', `invalid image spec: ${JSON.stringify(spec)}`);
}

/** Copy RGB(A) pixels into a new S×S RGB buffer filled with `padRgb`, centred (floor offsets). */
function padToSquare(image: RawImage, padRgb: ImageSpec['padRgb']): { data: Buffer; side: number } {
  const pad = squarePadding(image);
  const side = pad.side;
  const out = Buffer.alloc(side * side * 3);
  const [r, g, b] = padRgb;
  for (let i = 0; i < out.length; i += 3) {
    out[i] = r;
    out[i + 1] = g;
    out[i + 2] = b;
  }
  const rowBytes = image.width * 3;
  for (let y = 0; y < image.height; y += 1) {
    const target = ((y + pad.top) * side + pad.left) * 3;
    if (image.channels === 3) {
      image.data.copy(out, target, y * rowBytes, (y + 1) * rowBytes);
    } else {
      // RGBA is expected flattened already; drop alpha if it is not.
      let src = y * image.width * 4;
      for (let x = 0; x < image.width; x += 1, src += 4) {
        out[target + x * 3] = image.data[src] ?? 0;
        out[target + x * 3 + 1] = image.data[src + 1] ?? 0;
        out[target + x * 3 + 2] = image.data[src + 2] ?? 0;
      }
    }
  }
  return { data: out, side };
}

/**
 * LEGO's image preprocessing for one decoded image: pad to a centred square with `spec.padRgb`, resize
 * to `spec.size` (bicubic: sharp's `cubic` kernel), scale to 0..1, normalise `(x − mean) / std` per
 * channel, CHW layout. Writes `3 × size × size` floats into `out` at `offset` (for video frames) or
 * into a new array.
 */
export async function imageToTensor(
  image: RawImage,
  spec: ImageSpec,
  out: Float32Array = new Float32Array(3 * spec.size * spec.size),
  offset = 0,
): Promise<Float32Array> {
  checkSpec(spec);
  const plane = spec.size * spec.size;
  if (out.length < offset + 3 * plane) throw new LegoError('internal', 'tensor buffer too small');
  const square = padToSquare(image, spec.padRgb);
  const resized =
    square.side === spec.size
      ? square.data
      : await sharp(square.data, { raw: { width: square.side, height: square.side, channels: 3 } })
          .resize(spec.size, spec.size, { fit: 'fill', kernel: 'cubic' })
          .raw()
          .toBuffer();
  for (let c = 0; c < 3; c += 1) {
    const mean = spec.mean[c] ?? 0;
    const scale = 1 / (255 * (spec.std[c] ?? 1));
    const bias = mean / (spec.std[c] ?? 1);
    const base = offset + c * plane;
    for (let i = 0, src = c; i < plane; i += 1, src += 3) {
      out[base + i] = (resized[src] ?? 0) * scale - bias;
    }
  }
  return out;
}
