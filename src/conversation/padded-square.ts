import type { ImageSize, ModelBox, PixelBox } from '../grounding/types';

/**
 * LEGO's box frame: fractions of the image padded to a centred square of side S = max(W, H).
 * Pixels of the original: X = x·S − (S−W)/2, Y = y·S − (S−H)/2 (clipped to the image); the other
 * way: x = (X + (S−W)/2) / S.
 */

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Model-frame box → pixels of the original image, clipped to it. */
export function modelBoxToPixels(box: ModelBox, size: ImageSize): PixelBox {
  const side = Math.max(size.width, size.height);
  const padX = (side - size.width) / 2;
  const padY = (side - size.height) / 2;
  return {
    x1: clamp(box.x1 * side - padX, 0, size.width),
    y1: clamp(box.y1 * side - padY, 0, size.height),
    x2: clamp(box.x2 * side - padX, 0, size.width),
    y2: clamp(box.y2 * side - padY, 0, size.height),
  };
}

/** Pixels of the original image → model-frame box (fractions of the padded square, 0..1). */
export function pixelBoxToModel(box: PixelBox, size: ImageSize): ModelBox {
  const side = Math.max(size.width, size.height);
  const padX = (side - size.width) / 2;
  const padY = (side - size.height) / 2;
  return {
    x1: clamp((box.x1 + padX) / side, 0, 1),
    y1: clamp((box.y1 + padY) / side, 0, 1),
    x2: clamp((box.x2 + padX) / side, 0, 1),
    y2: clamp((box.y2 + padY) / side, 0, 1),
  };
}
