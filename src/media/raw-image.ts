/** Decoded 8-bit pixels, row-major, interleaved channels (3 = RGB, 4 = RGBA), no row padding. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}
