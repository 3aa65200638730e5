import { createCanvas } from '@napi-rs/canvas';
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { ImageSize, PixelBox } from '../grounding/types';
import { LegoError } from '../errors';
import { inspectImage } from '../media/image-info';
import { decodeCost, orientedPipeline, underDecodeBudget } from '../media/image-pipeline';
import { fromSharpError } from '../media/media-errors';
import type { ImageLimits } from '../media/options';
import { DEFAULT_MEDIA_OPTIONS } from '../media/options';
import { drawTag, measureTag } from './draw-tag';
import type { ReplyImageFormat } from './reply-image-format';
import { encodeReplyImage, REPLY_BYTES_PER_PIXEL, REPLY_IMAGE_MIME, replyImageFormat } from './reply-image-format';
import { referenceColour } from './palette';

/** A box to draw: its reference number, where it is on the image as displayed, and an optional name. */
export interface RenderBox {
  /** 1-based reference number shown as [index]; also picks the colour */
  index: number;
  /** pixels of the original image as displayed (after EXIF orientation) */
  pixels: PixelBox;
  label?: string | undefined;
  /** the box is where the sound sent with the image comes from: drawn with a legend entry that says so */
  soundSource?: boolean | undefined;
}

/** The legend entry of a sound-source box. */
export function soundSourceLegend(index: number): string {
  return `[${index}] — source of the sound`;
}

export interface RenderBoxesOptions {
  /** longest side of the result (default 2048); larger images are shrunk */
  maxSide?: number;
  /** the platform's upload limit in bytes (default 8 MiB); the image is sized to fit it, and shrunk further if it does not */
  maxBytes?: number;
  /** longest label text kept, in characters (default 40) */
  maxLabelChars?: number;
  limits?: ImageLimits;
}

export interface RenderedBoxes {
  /** the encoded picture: JPEG for photos, PNG for flat synthetic images (`format`) */
  data: Buffer;
  format: ReplyImageFormat;
  /** `image/jpeg` or `image/png` */
  mime: string;
  /** result pixels per original pixel (1 = not shrunk) */
  scale: number;
  width: number;
  height: number;
  /** the original image as displayed */
  size: ImageSize;
  /** encodes it took to fit `maxBytes` (1 = the first try fitted) */
  encodes: number;
}

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * `[n] label`, the label shortened (with an ellipsis) until the tag is at most `maxWidth` wide;
 * just `[n]` when even a short label does not fit. The reply text carries the full label.
 */
function fitTagText(ctx: SKRSContext2D, box: RenderBox, maxChars: number, fontPx: number, maxWidth: number): string {
  const number = `[${box.index}]`;
  let label = box.label?.trim().replace(/\s+/g, ' ') ?? '';
  if (label.length > maxChars) label = `${label.slice(0, Math.max(1, maxChars - 1))}…`;
  while (label.length > 0) {
    const text = `${number} ${label}`;
    if (measureTag(ctx, text, fontPx).width <= maxWidth) return text;
    if (label.length <= 4) break;
    label = `${label.slice(0, label.endsWith('…') ? -2 : -1).trimEnd()}…`;
  }
  return number;
}

/** Line width and font size grow with the image (its geometric mean side). */
export function boxStyle(width: number, height: number): { lineWidth: number; fontPx: number } {
  const side = Math.sqrt(width * height);
  return { lineWidth: Math.max(2, Math.round(side / 400)), fontPx: Math.max(13, Math.round(side * 0.026)) };
}

function drawBoxes(ctx: SKRSContext2D, boxes: readonly RenderBox[], scale: number, width: number, height: number, maxChars: number): void {
  const { lineWidth, fontPx } = boxStyle(width, height);
  const rects = boxes.map((box) => {
    const x1 = Math.max(0, Math.min(width, Math.min(box.pixels.x1, box.pixels.x2) * scale));
    const x2 = Math.max(0, Math.min(width, Math.max(box.pixels.x1, box.pixels.x2) * scale));
    const y1 = Math.max(0, Math.min(height, Math.min(box.pixels.y1, box.pixels.y2) * scale));
    const y2 = Math.max(0, Math.min(height, Math.max(box.pixels.y1, box.pixels.y2) * scale));
    return { box, x1, y1, x2, y2 };
  });
  // Strokes first (a dark halo under each colour keeps light colours visible on light backgrounds),
  // then all tags on top so that no box hides a number.
  const inset = lineWidth / 2;
  for (const { box, x1, y1, x2, y2 } of rects) {
    const w = Math.max(1, x2 - x1 - lineWidth);
    const h = Math.max(1, y2 - y1 - lineWidth);
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.55)';
    ctx.lineWidth = lineWidth + 2 * Math.max(1, Math.round(lineWidth / 3));
    ctx.strokeRect(x1 + inset, y1 + inset, w, h);
    ctx.strokeStyle = referenceColour(box.index);
    ctx.lineWidth = lineWidth;
    ctx.strokeRect(x1 + inset, y1 + inset, w, h);
  }
  const placed: Rect[] = [];
  for (const { box, x1, y1, x2 } of rects) {
    const text = fitTagText(ctx, box, maxChars, fontPx, Math.max(x2 - x1, width * 0.45));
    const size = measureTag(ctx, text, fontPx);
    // Above the box when there is room, else just inside its top edge; always inside the image,
    // moved down past tags already placed.
    let x = Math.max(0, Math.min(width - size.width, x1));
    let y = y1 - size.height >= 0 ? y1 - size.height : y1;
    for (let tries = 0; tries < 8 && placed.some((r) => overlaps(r, { x, y, ...size })); tries += 1) {
      y += size.height;
    }
    y = Math.max(0, Math.min(height - size.height, y));
    x = Math.max(0, x);
    drawTag(ctx, text, x, y, referenceColour(box.index), fontPx);
    placed.push({ x, y, ...size });
  }
  drawSoundLegend(ctx, boxes, width, height, fontPx);
}

/**
 * The legend of the sound's source, in the bottom-left corner: one tag per sound-source box in its
 * colour ("[1] — source of the sound"), stacked upwards; shortened to "[1] — sound" on a narrow image.
 */
function drawSoundLegend(ctx: SKRSContext2D, boxes: readonly RenderBox[], width: number, height: number, fontPx: number): void {
  const sources = boxes.filter((box) => box.soundSource === true);
  const legendPx = Math.max(12, Math.round(fontPx * 0.9));
  let y = height - 4;
  for (const box of [...sources].reverse()) {
    let text = soundSourceLegend(box.index);
    if (measureTag(ctx, text, legendPx).width > width - 8) text = `[${box.index}] — sound`;
    const size = measureTag(ctx, text, legendPx);
    y -= size.height;
    drawTag(ctx, text, 4, Math.max(0, y), referenceColour(box.index), legendPx);
    y -= 3;
  }
}

/**
 * The boxes and tags alone, drawn by skia on a transparent canvas the size of the result: raw RGBA
 * (not premultiplied), for libvips to lay over the picture.
 */
function drawOverlay(width: number, height: number, boxes: readonly RenderBox[], scale: number, maxChars: number): Buffer {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  drawBoxes(ctx, boxes, scale, width, height, maxChars);
  const pixels = ctx.getImageData(0, 0, width, height).data;
  return Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
}

/** The longest side that keeps a photo of this aspect within `maxBytes` when encoded. */
function sideForBytes(size: ImageSize, maxBytes: number, bytesPerPixel: number): number {
  const area = maxBytes / bytesPerPixel;
  const aspect = size.width / size.height;
  return Math.max(1, Math.floor(Math.sqrt(area * Math.max(aspect, 1 / aspect))));
}

function fitInside(size: ImageSize, side: number): ImageSize {
  const scale = Math.min(1, side / Math.max(size.width, size.height));
  return { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) };
}

/**
 * Draw numbered boxes on an image as people see it (EXIF orientation applied): each box in its
 * reference colour with a filled `[n] label` tag, line width and font scaled with the image. One
 * libvips pipeline decodes the file straight at the size sent (shrink-on-load to `maxSide` and to what
 * `maxBytes` holds), lays the boxes drawn by skia over it, and the result is encoded as JPEG for
 * photos or PNG for flat synthetic images — all under the decode budget. If it still does not fit
 * `maxBytes` it is made smaller and encoded again (`encodes`). `scale` says by how much it was shrunk.
 */
export async function renderBoxes(
  imageBytes: Uint8Array,
  boxes: readonly RenderBox[],
  options: RenderBoxesOptions = {},
): Promise<RenderedBoxes> {
  const maxSide = options.maxSide ?? 2048;
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  const maxChars = options.maxLabelChars ?? 40;
  for (const box of boxes) {
    const values = [box.index, box.pixels.x1, box.pixels.y1, box.pixels.x2, box.pixels.y2];
    if (!values.every(Number.isFinite)) throw new LegoError('bad-input', `box ${box.index} has non-finite coordinates`);
  }
  const limits = options.limits ?? DEFAULT_MEDIA_OPTIONS;
  const info = await inspectImage(imageBytes, limits);
  const size = info.size;
  let target = fitInside(size, Math.min(maxSide, sideForBytes(size, maxBytes, REPLY_BYTES_PER_PIXEL.jpeg)));
  let format: ReplyImageFormat | undefined;
  for (let encodes = 1; ; encodes += 1) {
    const { width, height } = target;
    const scale = width / size.width;
    const cost = decodeCost(info, Math.max(width, height), width * height * DRAW_BYTES_PER_PIXEL);
    const chosen = format;
    const encoded = await underDecodeBudget(limits, cost, async () => {
      const overlay = drawOverlay(width, height, boxes, scale, maxChars);
      try {
        const { data, info: out } = await orientedPipeline(imageBytes, limits)
          .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
          .composite([{ input: overlay, raw: { width, height, channels: 4 } }])
          .raw({ depth: 'uchar' })
          .toBuffer({ resolveWithObject: true });
        const picture = { data, width: out.width, height: out.height, channels: out.channels === 4 ? (4 as const) : (3 as const) };
        const as = chosen ?? replyImageFormat(info.format, picture);
        return { as, data: await encodeReplyImage(picture, as) };
      } catch (error) {
        throw fromSharpError(error);
      }
    });
    format = encoded.as;
    if (encoded.data.length <= maxBytes) {
      return { data: encoded.data, format, mime: REPLY_IMAGE_MIME[format], scale, width, height, size, encodes };
    }
    if (Math.max(width, height) <= 64) {
      throw new LegoError('too-large', `annotated image does not fit ${maxBytes} bytes even at ${width}×${height}`);
    }
    const shrink = Math.min(0.9, Math.sqrt(maxBytes / encoded.data.length) * 0.95);
    target = { width: Math.max(1, Math.round(width * shrink)), height: Math.max(1, Math.round(height * shrink)) };
  }
}

/** Bytes a render holds at its peak per pixel of the result: the RGBA overlay (canvas and copy) and the RGB picture. */
const DRAW_BYTES_PER_PIXEL = 11;
