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
