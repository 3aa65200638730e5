import type { Canvas } from '@napi-rs/canvas';
import sharp from 'sharp';

/**
 * Encode an opaque canvas as an RGB PNG with libspng (through sharp): on a 2048×1152 photo about 5×
 * faster than skia's own PNG encoder and a little smaller (zlib level 3 with adaptive row filters).
 */
export async function encodeCanvasPng(canvas: Canvas): Promise<Buffer> {
  const { width, height } = canvas;
  const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: 4 } })
    .removeAlpha()
    .png({ compressionLevel: 3, adaptiveFiltering: true })
    .toBuffer();
}
