import { createCanvas } from '@napi-rs/canvas';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { ImageSize, PixelBox } from '../grounding/types';
import { LegoError } from '../errors';
import { inspectImage } from '../media/image-info';
import { decodeCost, orientedPipeline, underDecodeBudget } from '../media/image-pipeline';
import { fromSharpError } from '../media/media-errors';
import type { ImageLimits } from '../media/options';
import type { DisplayPicture } from '../media/prepare-image';
import { DEFAULT_MEDIA_OPTIONS } from '../media/options';
import { drawTag, measureTag } from './draw-tag';
import type { ReplyImageFormat } from './reply-image-format';
import { encodeReply, encodeReplyImage, REPLY_BYTES_PER_PIXEL, REPLY_IMAGE_MIME, replyFormatOfSource, replyImageFormat } from './reply-image-format';
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

/** The smallest rectangle holding `a` and `b` (either may be absent). */
function union(a: Rect | undefined, b: Rect): Rect {
  if (a === undefined) return b;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/** Draws the boxes, their tags and the sound legend; returns the rectangle that holds all it drew (undefined: nothing). */
function drawBoxes(ctx: SKRSContext2D, boxes: readonly RenderBox[], scale: number, width: number, height: number, maxChars: number): Rect | undefined {
  const { lineWidth, fontPx } = boxStyle(width, height);
  let drawn: Rect | undefined;
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
  const halo = lineWidth + 2 * Math.max(1, Math.round(lineWidth / 3));
  for (const { box, x1, y1, x2, y2 } of rects) {
    const w = Math.max(1, x2 - x1 - lineWidth);
    const h = Math.max(1, y2 - y1 - lineWidth);
    drawn = union(drawn, { x: x1 + inset - halo, y: y1 + inset - halo, width: w + 2 * halo, height: h + 2 * halo });
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.55)';
    ctx.lineWidth = halo;
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
    drawn = union(drawn, { x, y, ...size });
  }
  const legend = drawSoundLegend(ctx, boxes, width, height, fontPx);
  return legend === undefined ? drawn : union(drawn, legend);
}

/**
 * The legend of the sound's source, in the bottom-left corner: one tag per sound-source box in its
 * colour ("[1] — source of the sound"), stacked upwards; shortened to "[1] — sound" on a narrow image.
 */
function drawSoundLegend(ctx: SKRSContext2D, boxes: readonly RenderBox[], width: number, height: number, fontPx: number): Rect | undefined {
  const sources = boxes.filter((box) => box.soundSource === true);
  const legendPx = Math.max(12, Math.round(fontPx * 0.9));
  let drawn: Rect | undefined;
  let y = height - 4;
  for (const box of [...sources].reverse()) {
    let text = soundSourceLegend(box.index);
    if (measureTag(ctx, text, legendPx).width > width - 8) text = `[${box.index}] — sound`;
    const size = measureTag(ctx, text, legendPx);
    y -= size.height;
    drawTag(ctx, text, 4, Math.max(0, y), referenceColour(box.index), legendPx);
    drawn = union(drawn, { x: 4, y: Math.max(0, y), ...size });
    y -= 3;
  }
  return drawn;
}

/** The boxes and tags alone, as raw RGBA (not premultiplied) to lay over the picture at (`left`, `top`). */
interface Overlay {
  data: Buffer;
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The boxes and tags alone, drawn by skia on a transparent canvas only as large as the rectangle they
 * cover (a box on a 1280×960 photo is a fraction of its 4.9 MB of RGBA; skia's pixels are native memory
 * that the garbage collector does not see): the layout is found on a 1×1 canvas first, then drawn
 * again, shifted, on the small one. For libvips to lay over the picture. Undefined when nothing is drawn.
 */
function drawOverlay(width: number, height: number, boxes: readonly RenderBox[], scale: number, maxChars: number): Overlay | undefined {
  const drawn = drawBoxes(createCanvas(1, 1).getContext('2d'), boxes, scale, width, height, maxChars);
  if (drawn === undefined) return undefined;
  // a pixel of margin for anti-aliasing, inside the picture
  const left = Math.max(0, Math.floor(drawn.x) - 1);
  const top = Math.max(0, Math.floor(drawn.y) - 1);
  const right = Math.min(width, Math.ceil(drawn.x + drawn.width) + 1);
  const bottom = Math.min(height, Math.ceil(drawn.y + drawn.height) + 1);
  if (right <= left || bottom <= top) return undefined;
  const canvas = createCanvas(right - left, bottom - top);
  const ctx = canvas.getContext('2d');
  ctx.translate(-left, -top);
  drawBoxes(ctx, boxes, scale, width, height, maxChars);
  const pixels = ctx.getImageData(0, 0, right - left, bottom - top).data;
  return { data: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), left, top, width: right - left, height: bottom - top };
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
 * A reply side at least this fraction of the largest allowed is taken when it is the image's own side
 * halved, quartered or divided by 8 (see `replyPictureSize`).
 */
export const WHOLE_SHRINK_MIN_FRACTION = 0.75;

/**
 * The size an annotated picture of an image of `size` (as displayed) is sent at: never enlarged, the
 * longest side at most `maxSide` (default 2048) and what `maxBytes` (default 8 MiB) holds as JPEG, and,
 * where that costs at most a quarter of the side, the image's own side divided by 2, 4 or 8: a
 * 4000×3000 phone photo is sent at 1000×750, not 1280×960. Those are JPEG's shrink-on-load scales:
 * libvips decodes at 1/2 (sharp halves an exact 1/4) and averages 2×2 pixels, where 1280 px would
 * resample the 2000-px decode by 1.5625 with a lanczos kernel — as costly as the decode itself
 * (bench:photo's 12 MP photo, oriented decode at reply size: ~110 ms at 1000 px, ~190 ms at 1280 px on 2
 * loaded cores). An image prepared for a turn is decoded once at this size (`prepareImageAndDisplay`)
 * and drawn on.
 */
export function replyPictureSize(size: ImageSize, options: Pick<RenderBoxesOptions, 'maxSide' | 'maxBytes'> = {}): ImageSize {
  const maxSide = options.maxSide ?? 2048;
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  const side = Math.min(maxSide, sideForBytes(size, maxBytes, REPLY_BYTES_PER_PIXEL.jpeg));
  const longest = Math.max(size.width, size.height);
  if (longest <= side) return size;
  const fraction = 2 ** Math.ceil(Math.log2(longest / side));
  const whole = Math.floor(longest / fraction);
  return fitInside(size, fraction <= 8 && whole >= WHOLE_SHRINK_MIN_FRACTION * side ? whole : side);
}

function isPicture(image: Uint8Array | DisplayPicture): image is DisplayPicture {
  return !(image instanceof Uint8Array);
}

/**
 * Draw numbered boxes on an image as people see it (EXIF orientation applied): each box in its
 * reference colour with a filled `[n] label` tag, line width and font scaled with the image. Given the
 * file, one libvips pipeline decodes it straight at the size sent (shrink-on-load to `maxSide` and to
 * what `maxBytes` holds); given the picture already decoded at that size for the turn (a
 * `DisplayPicture`), nothing is decoded again. The boxes drawn by skia are laid over it and the result
 * is encoded as JPEG for photos or PNG for flat synthetic images — all under the decode budget. If it
 * still does not fit `maxBytes` it is made smaller and encoded again (`encodes`). `scale` says by how
 * much it was shrunk.
 */
export async function renderBoxes(
  image: Uint8Array | DisplayPicture,
  boxes: readonly RenderBox[],
  options: RenderBoxesOptions = {},
): Promise<RenderedBoxes> {
  const maxChars = options.maxLabelChars ?? 40;
  for (const box of boxes) {
    const values = [box.index, box.pixels.x1, box.pixels.y1, box.pixels.x2, box.pixels.y2];
    if (!values.every(Number.isFinite)) throw new LegoError('bad-input', `box ${box.index} has non-finite coordinates`);
  }
  const limits = options.limits ?? DEFAULT_MEDIA_OPTIONS;
  const picture = isPicture(image) ? image : undefined;
  const info = picture === undefined ? await inspectImage(image as Uint8Array, limits) : undefined;
  const size = picture?.size ?? info!.size;
  const sourceFormat = picture?.format ?? info!.format;
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  let target = replyPictureSize(size, options);
  // drawn on the decoded picture: never larger than it
  if (picture !== undefined && (target.width > picture.image.width || target.height > picture.image.height)) {
    target = { width: picture.image.width, height: picture.image.height };
  }
  let format: ReplyImageFormat | undefined;
  for (let encodes = 1; ; encodes += 1) {
    const { width, height } = target;
    const scale = width / size.width;
    const cost = picture === undefined ? decodeCost(info!, Math.max(width, height), width * height * DRAW_BYTES_PER_PIXEL) : width * height * DRAW_BYTES_PER_PIXEL;
    const chosen = format;
    const encoded = await underDecodeBudget(limits, cost, async () => {
      const overlay = drawOverlay(width, height, boxes, scale, maxChars);
      try {
        let pipeline: Sharp;
        if (picture === undefined) {
          pipeline = orientedPipeline(image as Uint8Array, limits).resize(width, height, { fit: 'fill', kernel: 'lanczos3' });
        } else {
          const { data, width: w, height: h, channels } = picture.image;
          pipeline = sharp(data, { raw: { width: w, height: h, channels } });
          if (w !== width || h !== height) pipeline = pipeline.resize(width, height, { fit: 'fill', kernel: 'lanczos3' });
        }
        if (overlay !== undefined) {
          pipeline = pipeline.composite([
            { input: overlay.data, raw: { width: overlay.width, height: overlay.height, channels: 4 }, left: overlay.left, top: overlay.top },
          ]);
        }
        // a photo (or a second try) is encoded in the same libvips pass as the drawing; a PNG or the like
        // is looked at first (flat synthetic images go back as PNG)
        const known = chosen ?? replyFormatOfSource(sourceFormat);
        if (known !== undefined) return { as: known, data: await encodeReply(pipeline, known) };
        const { data, info: out } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
        const drawn = { data, width: out.width, height: out.height, channels: out.channels === 4 ? (4 as const) : (3 as const) };
        const as = replyImageFormat(sourceFormat, drawn);
        return { as, data: await encodeReplyImage(drawn, as) };
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
