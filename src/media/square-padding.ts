import type { ImageSize } from '../grounding/types';

/** Where an image of `size` sits in LEGO's centred padded square. */
export interface SquarePadding {
  /** S = max(width, height) */
  side: number;
  /** floor((S − width) / 2) */
  left: number;
  /** floor((S − height) / 2) */
  top: number;
  right: number;
  bottom: number;
}

/** The padding that turns an image of `size` into a square centred on it (bundle format, "Media preprocessing"). */
export function squarePadding(size: ImageSize): SquarePadding {
  const side = Math.max(size.width, size.height);
  const left = Math.floor((side - size.width) / 2);
  const top = Math.floor((side - size.height) / 2);
  return { side, left, top, right: side - size.width - left, bottom: side - size.height - top };
}
