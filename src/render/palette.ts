/**
 * The colours of references [1], [2], …: the same for boxes, timeline spans and legends, so a number in
 * the reply text, a box and a bar match. Distinct hues, saturated enough to show on photos (after
 * "20 simple distinct colours", Sasha Trubetskoy), in a fixed order.
 */
export const REFERENCE_PALETTE = [
  '#e6194b', // red
  '#3cb44b', // green
  '#4363d8', // blue
  '#f58231', // orange
  '#911eb4', // purple
  '#42d4f4', // cyan
  '#f032e6', // magenta
  '#bfef45', // lime
  '#469990', // teal
  '#ffe119', // yellow
  '#9a6324', // brown
  '#800000', // maroon
] as const;

/** The colour of reference `index` (1-based), cycling through the palette. */
export function referenceColour(index: number): string {
  const n = REFERENCE_PALETTE.length;
  const i = (((Math.round(index) - 1) % n) + n) % n;
  return REFERENCE_PALETTE[i] ?? REFERENCE_PALETTE[0];
}

/** Relative luminance (WCAG) of a `#rrggbb` colour. */
function luminance(hex: string): number {
  const channel = (offset: number): number => {
    const v = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** Black or white, whichever reads better on `hex`. */
export function textColourOn(hex: string): '#000000' | '#ffffff' {
  const l = luminance(hex);
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
}
