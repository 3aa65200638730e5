/** A box in the model's frame: fractions (0..1) of the centred padded square (LEGO's convention). */
export interface ModelBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A box in pixels of the original image as displayed (after EXIF orientation). */
export interface PixelBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A span in the model's frame: fractions (0..1) of the clip's duration. */
export interface ModelSpan {
  start: number;
  end: number;
}

/** A span in seconds. */
export interface SecondSpan {
  start: number;
  end: number;
}

/** Width and height in pixels of the image as displayed. */
export interface ImageSize {
  width: number;
  height: number;
}

/** A box found in text, in the model's frame. */
export interface BoxMatch {
  kind: 'box';
  box: ModelBox;
  /** the exact text of the box (for `;`-separated groups, the group without the brackets) */
  raw: string;
  /** character offset of `raw` in the whole text */
  offset: number;
  /** the words before the box that name it ("red star"), when there are any */
  label?: string;
  /** where the region's markup begins when it begins before `raw` (the `[` of a `;`-separated group) */
  textStart?: number;
  /** where it ends when it ends after `raw` (the `]` of a group) */
  textEnd?: number;
}

/** A span found in text, in the model's frame. */
export interface SpanMatch {
  kind: 'span';
  span: ModelSpan;
  raw: string;
  offset: number;
  label?: string;
  textStart?: number;
  textEnd?: number;
}

export type GroundingMatch = BoxMatch | SpanMatch;

/** Something that looked like a box or span but was not a valid one; it is skipped, never thrown. */
export interface GroundingWarning {
  message: string;
  raw: string;
  offset: number;
}

export type GroundingWarningCallback = (warning: GroundingWarning) => void;
