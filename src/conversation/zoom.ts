import type { ImageSize, ModelBox, ModelSpan, PixelBox, SecondSpan } from '../grounding/types';
import { modelBoxToPixels, pixelBoxToModel } from '../grounding/coordinate-frames';
import type { Clip, CropRect } from './record';

export interface ZoomSettings {
  /** fraction of the box's width (height) added on the left and right (top and bottom) */
  margin: number;
  /** smallest side of the crop in pixels (capped by the image's own side) */
  minSize: number;
}

/** Grow [low, high] around its centre to at least `size` (at most `limit`), then slide it inside [0, limit]. */
function fitInterval(low: number, high: number, size: number, limit: number): [number, number] {
  let a = Math.min(low, high);
  let b = Math.max(low, high);
  const want = Math.min(Math.max(b - a, size), limit);
  if (b - a < want) {
    const centre = (a + b) / 2;
    a = centre - want / 2;
    b = centre + want / 2;
  }
  if (a < 0) {
    b -= a;
    a = 0;
  }
  if (b > limit) {
    a -= b - limit;
    b = limit;
  }
  return [Math.max(0, a), b];
}

/** `fitInterval` in whole pixels, at least one. */
function fitAxis(low: number, high: number, size: number, limit: number): [number, number] {
  const [a, b] = fitInterval(low, high, size, limit);
  const start = Math.max(0, Math.floor(a));
  const end = Math.min(limit, Math.max(start + 1, Math.ceil(b)));
  return [start, end];
}

/**
 * The crop for "zoom into N": the pixel box plus a margin on each side, at least `minSize` pixels per
 * side (when the image allows), slid inside the image rather than shrunk at its edges, in whole pixels.
 */
export function zoomCrop(box: PixelBox, image: ImageSize, settings: ZoomSettings): CropRect {
  const width = Math.max(1, Math.round(image.width));
  const height = Math.max(1, Math.round(image.height));
  const dx = Math.abs(box.x2 - box.x1) * settings.margin;
  const dy = Math.abs(box.y2 - box.y1) * settings.margin;
  const [x1, x2] = fitAxis(Math.min(box.x1, box.x2) - dx, Math.max(box.x1, box.x2) + dx, settings.minSize, width);
  const [y1, y2] = fitAxis(Math.min(box.y1, box.y2) - dy, Math.max(box.y1, box.y2) + dy, settings.minSize, height);
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

/** The smallest pixel box holding all of `boxes` (for zooming into several regions at once). */
export function unionPixelBox(boxes: readonly PixelBox[]): PixelBox {
  if (boxes.length === 0) throw new RangeError('unionPixelBox needs at least one box');
  return {
    x1: Math.min(...boxes.map((b) => Math.min(b.x1, b.x2))),
    y1: Math.min(...boxes.map((b) => Math.min(b.y1, b.y2))),
    x2: Math.max(...boxes.map((b) => Math.max(b.x1, b.x2))),
    y2: Math.max(...boxes.map((b) => Math.max(b.y1, b.y2))),
  };
}

/** A pixel box on the crop → the same box in pixels of the full image. */
export function cropPixelsToImage(box: PixelBox, crop: CropRect): PixelBox {
  return { x1: box.x1 + crop.x, y1: box.y1 + crop.y, x2: box.x2 + crop.x, y2: box.y2 + crop.y };
}

/**
 * A box the model gave on the crop (model frame of the crop's padded square) → pixels of the full
 * image and the full image's model frame, which is what the conversation keeps.
 */
export function cropBoxToImage(box: ModelBox, crop: CropRect, image: ImageSize): { pixels: PixelBox; box: ModelBox } {
  const onCrop = modelBoxToPixels(box, { width: crop.width, height: crop.height });
  const pixels = cropPixelsToImage(onCrop, crop);
  return { pixels, box: pixelBoxToModel(pixels, image) };
}

/** The shortest stretch "zoom into span N" looks at, in seconds (when the video is that long). */
export const ZOOM_MIN_SECONDS = 1;

/**
 * The stretch for "zoom into span N": its seconds plus `margin` of its length before and after, at
 * least `minSec` long (when the video allows), slid inside [0, duration] rather than cut at its ends.
 */
export function zoomClip(span: SecondSpan, durationSec: number, settings: { margin: number; minSec: number }): Clip {
  const pad = Math.abs(span.end - span.start) * settings.margin;
  const [a, b] = fitInterval(Math.min(span.start, span.end) - pad, Math.max(span.start, span.end) + pad, settings.minSec, durationSec);
  const round = (t: number): number => Math.round(t * 1000) / 1000;
  return { start: round(a), end: round(Math.min(durationSec, b)) };
}

/** The smallest stretch holding all of `spans` (seconds). */
export function unionSeconds(spans: readonly SecondSpan[]): SecondSpan {
  if (spans.length === 0) throw new RangeError('unionSeconds needs at least one span');
  return { start: Math.min(...spans.map((s) => Math.min(s.start, s.end))), end: Math.max(...spans.map((s) => Math.max(s.start, s.end))) };
}

/** A span the model gave on a stretch (fractions of the stretch) as the whole video's: seconds and model frame. */
export function clipSpanToVideo(span: ModelSpan, clip: Clip, durationSec: number): { span: ModelSpan; seconds: SecondSpan } {
  const length = clip.end - clip.start;
  const seconds = { start: clip.start + span.start * length, end: clip.start + span.end * length };
  return { span: { start: seconds.start / durationSec, end: seconds.end / durationSec }, seconds };
}
