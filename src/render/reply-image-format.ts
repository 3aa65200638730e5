import sharp from 'sharp';
import type { Sharp } from 'sharp';
import type { RawImage } from '../media/raw-image';

/** How a picture is sent back: JPEG for photos, PNG for flat synthetic images (sharp edges, few colours). */
export type ReplyImageFormat = 'jpeg' | 'png';

export const REPLY_IMAGE_MIME: Readonly<Record<ReplyImageFormat, string>> = { jpeg: 'image/jpeg', png: 'image/png' };
export const REPLY_IMAGE_EXTENSION: Readonly<Record<ReplyImageFormat, string>> = { jpeg: 'jpg', png: 'png' };

/**
 * Bytes per pixel an encoded reply may take, to size it within an upload limit before encoding: a
 * detailed 12 MP phone photo at quality 88 (4:4:4) takes ~0.6, noise ~2.5 (then the render shrinks
 * again); a flat image as PNG ~0.2.
 */
export const REPLY_BYTES_PER_PIXEL: Readonly<Record<ReplyImageFormat, number>> = { jpeg: 1.2, png: 1.5 };

/** JPEG quality of replies: boxes and tag text stay crisp with full-resolution colour (4:4:4). */
export const REPLY_JPEG_QUALITY = 88;

/** Distinct colours among ≤ 16k sampled pixels above which an image counts as a photo. */
const FLAT_MAX_COLOURS = 1024;
const SAMPLES = 16_384;

/** Distinct colours among a uniform sample of the pixels, stopping once `stopAt` is passed. */
export function sampledColourCount(image: RawImage, stopAt = Infinity): number {
  const pixels = image.width * image.height;
  const step = Math.max(1, Math.floor(pixels / SAMPLES));
  const seen = new Set<number>();
  for (let p = 0; p < pixels; p += step) {
    const i = p * image.channels;
    seen.add(((image.data[i] ?? 0) << 16) | ((image.data[i + 1] ?? 0) << 8) | (image.data[i + 2] ?? 0));
    if (seen.size > stopAt) break;
  }
  return seen.size;
}

/**
 * JPEG for what was a photo (a lossy source: JPEG, HEIF, AVIF) or looks like one (many colours); PNG
 * for flat synthetic images (diagrams, screenshots, lego-tiny's scenes), where JPEG would blur edges
 * and not be smaller.
 */
export function replyImageFormat(sourceFormat: string, image: RawImage): ReplyImageFormat {
  return replyFormatOfSource(sourceFormat) ?? (sampledColourCount(image, FLAT_MAX_COLOURS) > FLAT_MAX_COLOURS ? 'jpeg' : 'png');
}

/** JPEG for a photo's lossy formats; undefined where the pixels decide (`replyImageFormat`). */
export function replyFormatOfSource(sourceFormat: string): ReplyImageFormat | undefined {
  return sourceFormat === 'jpeg' || sourceFormat === 'heif' || sourceFormat === 'heic' || sourceFormat === 'avif' ? 'jpeg' : undefined;
}

/** Encode raw pixels in the reply format (libjpeg-turbo or libspng through sharp); alpha is dropped. */
export async function encodeReplyImage(image: RawImage, format: ReplyImageFormat): Promise<Buffer> {
  return encodeReply(sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } }), format);
}

/**
 * The end of a pipeline that draws a reply: encoded in the reply format in the same libvips pass; alpha
 * is dropped. JPEG without Huffman optimisation: a 1000×750 photo encodes in ~7 ms instead of ~22 ms
 * (issue 23: on the answer's path) for a file ~9 % larger (672 vs 618 KB for the bench's noisy photo).
 */
export function encodeReply(pipeline: Sharp, format: ReplyImageFormat): Promise<Buffer> {
  const opaque = pipeline.removeAlpha();
  return format === 'png'
    ? opaque.png({ compressionLevel: 3, adaptiveFiltering: true }).toBuffer()
    : opaque.jpeg({ quality: REPLY_JPEG_QUALITY, chromaSubsampling: '4:4:4', optimiseCoding: false }).toBuffer();
}
