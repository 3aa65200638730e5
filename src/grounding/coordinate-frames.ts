/**
 * LEGO's coordinate frames. Boxes are fractions of the centred padded square of side S = max(W, H);
 * spans are fractions of the clip's duration.
 *   model -> pixels: X = x·S − (S − W)/2, Y = y·S − (S − H)/2, clipped to the image
 *   pixels -> model: x = (X + (S − W)/2)/S, y = (Y + (S − H)/2)/S (for regions in a question)
 */
import type { ImageSize, ModelBox, ModelSpan, PixelBox, SecondSpan } from './types';

function clip(v: number, lo: number, hi: number): number {
  if (Number.isNaN(v)) return lo;
  return Math.min(hi, Math.max(lo, v));
}

function checkSize(size: ImageSize): void {
  if (!(size.width > 0) || !(size.height > 0) || !Number.isFinite(size.width) || !Number.isFinite(size.height)) {
    throw new RangeError(`image size must be positive, got ${size.width}x${size.height}`);
  }
}

/** A model-frame box on the original W×H image, in pixels (unrounded), clipped to the image. */
export function modelBoxToPixels(box: ModelBox, size: ImageSize): PixelBox {
  checkSize(size);
  const { width: w, height: h } = size;
  const s = Math.max(w, h);
  const ox = (s - w) / 2;
  const oy = (s - h) / 2;
  return {
    x1: clip(box.x1 * s - ox, 0, w),
    y1: clip(box.y1 * s - oy, 0, h),
    x2: clip(box.x2 * s - ox, 0, w),
    y2: clip(box.y2 * s - oy, 0, h),
  };
}

/** A pixel box on the original image (clipped to it first) in the model's frame. */
export function pixelBoxToModel(box: PixelBox, size: ImageSize): ModelBox {
  checkSize(size);
  const { width: w, height: h } = size;
  const s = Math.max(w, h);
  const ox = (s - w) / 2;
  const oy = (s - h) / 2;
  return {
    x1: clip((clip(box.x1, 0, w) + ox) / s, 0, 1),
    y1: clip((clip(box.y1, 0, h) + oy) / s, 0, 1),
    x2: clip((clip(box.x2, 0, w) + ox) / s, 0, 1),
    y2: clip((clip(box.y2, 0, h) + oy) / s, 0, 1),
  };
}

/** A span (fractions of the duration) in seconds, clipped to [0, duration]. */
export function spanToSeconds(span: ModelSpan, durationSec: number): SecondSpan {
  const d = Math.max(0, durationSec);
  return { start: clip(span.start * d, 0, d), end: clip(span.end * d, 0, d) };
}

/** Seconds as fractions of the duration, clipped to [0, 1]. A zero duration gives {0, 0}. */
export function secondsToSpan(seconds: SecondSpan, durationSec: number): ModelSpan {
  if (!(durationSec > 0)) return { start: 0, end: 0 };
  return { start: clip(seconds.start / durationSec, 0, 1), end: clip(seconds.end / durationSec, 0, 1) };
}
