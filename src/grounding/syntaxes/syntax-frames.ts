import { modelBoxToPixels, pixelBoxToModel } from '../coordinate-frames';
import type { ImageSize, ModelBox, PixelBox } from '../types';
import type { ImageFrame } from './types';

function clip(v: number, hi: number): number {
  return Math.min(hi, Math.max(0, v));
}

/**
 * A box given as fractions of `frame` on pixels of the original W×H image:
 * - padded-square: LEGO's `X = x·S − (S − W)/2` with S = max(W, H), clipped;
 * - plain-resize: `X = x·W`, `Y = y·H`.
 */
export function frameBoxToPixels(box: ModelBox, frame: ImageFrame, size: ImageSize): PixelBox {
  if (frame === 'padded-square') return modelBoxToPixels(box, size);
  return {
    x1: clip(box.x1 * size.width, size.width),
    y1: clip(box.y1 * size.height, size.height),
    x2: clip(box.x2 * size.width, size.width),
    y2: clip(box.y2 * size.height, size.height),
  };
}

/** A box given as fractions of `frame` in LEGO's model frame (fractions of the padded square). */
export function frameBoxToLego(box: ModelBox, frame: ImageFrame, size: ImageSize): ModelBox {
  if (frame === 'padded-square') return box;
  return pixelBoxToModel(frameBoxToPixels(box, frame, size), size);
}
