import sharp from 'sharp';
import type { ImageSpec } from '../types';

/**
 * One prepared CHW tensor plane set back into 8-bit RGB: `round((v·std + mean)·255)`. The tensor was
 * made from 8-bit pixels, so this gives those pixels back exactly (the padded, resized square the
 * engine would have seen).
 */
export function tensorToRgb(pixelValues: Float32Array, spec: ImageSpec, offset = 0): Buffer {
  const plane = spec.size * spec.size;
  const out = Buffer.alloc(plane * 3);
  for (let c = 0; c < 3; c += 1) {
    const mean = spec.mean[c]!;
    const std = spec.std[c]!;
    const base = offset + c * plane;
    for (let i = 0; i < plane; i += 1) {
      const v = Math.round((pixelValues[base + i]! * std + mean) * 255);
      out[i * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}

/** A tensor plane set as a lossless PNG of `spec.size`² pixels. */
export function tensorToPng(pixelValues: Float32Array, spec: ImageSpec, offset = 0): Promise<Buffer> {
  const rgb = tensorToRgb(pixelValues, spec, offset);
  return sharp(rgb, { raw: { width: spec.size, height: spec.size, channels: 3 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}
