import fc from 'fast-check';
import { modelBoxToPixels, pixelBoxToModel, secondsToSpan, spanToSeconds } from '../../src/grounding/coordinate-frames';
import type { ImageSize, ModelBox } from '../../src/grounding/types';

const frac = fc.double({ min: 0, max: 1, noNaN: true });
const box = fc
  .tuple(frac, frac, frac, frac)
  .map(([a, b, c, d]): ModelBox => ({ x1: Math.min(a, c), y1: Math.min(b, d), x2: Math.max(a, c), y2: Math.max(b, d) }));
const side = fc.integer({ min: 1, max: 5000 });
const size = fc.tuple(side, side).map(([width, height]): ImageSize => ({ width, height }));
/** includes the extreme aspect ratios 1:50 and 50:1 */
const extremeSize = fc.constantFrom<ImageSize>(
  { width: 20, height: 1000 },
  { width: 1000, height: 20 },
  { width: 1, height: 50 },
  { width: 50, height: 1 },
  { width: 7, height: 7 },
);
const anySize = fc.oneof(size, extremeSize);

describe('padded square -> original pixels', () => {
  it('follows X = x·S − (S−W)/2 for a known case', () => {
    // 200×100: S = 200, vertical padding 50 above and below
    expect(modelBoxToPixels({ x1: 0.1, y1: 0.25, x2: 0.5, y2: 0.75 }, { width: 200, height: 100 })).toEqual({
      x1: 20,
      y1: 0,
      x2: 100,
      y2: 100,
    });
    expect(modelBoxToPixels({ x1: 0, y1: 0.5, x2: 1, y2: 0.6 }, { width: 200, height: 100 })).toEqual({ x1: 0, y1: 50, x2: 200, y2: 70 });
  });

  it('always lands inside the image and keeps corners ordered', () => {
    fc.assert(
      fc.property(box, anySize, (b, s) => {
        const p = modelBoxToPixels(b, s);
        for (const v of [p.x1, p.x2]) expect(v >= 0 && v <= s.width).toBe(true);
        for (const v of [p.y1, p.y2]) expect(v >= 0 && v <= s.height).toBe(true);
        expect(p.x1 <= p.x2 && p.y1 <= p.y2).toBe(true);
      }),
    );
  });

  it('clips a box that lies in the padding to a zero-width edge', () => {
    // 20×1000 (1:50): the image covers x in [0.49, 0.51] of the square
    const p = modelBoxToPixels({ x1: 0, y1: 0.2, x2: 0.3, y2: 0.4 }, { width: 20, height: 1000 });
    expect(p.x1).toBe(0);
    expect(p.x2).toBe(0);
    expect(p.y1).toBeCloseTo(200, 9);
  });

  it('round-trips pixels -> model -> pixels for boxes inside the image, any aspect ratio', () => {
    fc.assert(
      fc.property(box, anySize, (unit, s) => {
        const px = { x1: unit.x1 * s.width, y1: unit.y1 * s.height, x2: unit.x2 * s.width, y2: unit.y2 * s.height };
        const back = modelBoxToPixels(pixelBoxToModel(px, s), s);
        const tol = 1e-9 * Math.max(s.width, s.height);
        expect(Math.abs(back.x1 - px.x1)).toBeLessThanOrEqual(tol);
        expect(Math.abs(back.y1 - px.y1)).toBeLessThanOrEqual(tol);
        expect(Math.abs(back.x2 - px.x2)).toBeLessThanOrEqual(tol);
        expect(Math.abs(back.y2 - px.y2)).toBeLessThanOrEqual(tol);
      }),
    );
  });

  it('round-trips model -> pixels -> model where the box is not clipped', () => {
    fc.assert(
      fc.property(box, anySize, (b, s) => {
        const S = Math.max(s.width, s.height);
        const lo = { x: (S - s.width) / 2 / S, y: (S - s.height) / 2 / S };
        const inside = b.x1 >= lo.x && b.x2 <= 1 - lo.x && b.y1 >= lo.y && b.y2 <= 1 - lo.y;
        fc.pre(inside);
        const back = pixelBoxToModel(modelBoxToPixels(b, s), s);
        for (const k of ['x1', 'y1', 'x2', 'y2'] as const) expect(back[k]).toBeCloseTo(b[k], 9);
      }),
    );
  });

  it('puts a region input into the model frame: x = (X + (S−W)/2)/S, clipped', () => {
    expect(pixelBoxToModel({ x1: 0, y1: 0, x2: 100, y2: 200 }, { width: 100, height: 200 })).toEqual({
      x1: 0.25,
      y1: 0,
      x2: 0.75,
      y2: 1,
    });
    expect(pixelBoxToModel({ x1: -50, y1: -5, x2: 500, y2: 900 }, { width: 100, height: 200 })).toEqual({
      x1: 0.25,
      y1: 0,
      x2: 0.75,
      y2: 1,
    });
  });

  it('refuses an empty image size', () => {
    expect(() => modelBoxToPixels({ x1: 0, y1: 0, x2: 1, y2: 1 }, { width: 0, height: 10 })).toThrow(RangeError);
  });
});

describe('spans <-> seconds', () => {
  it('converts and clips', () => {
    expect(spanToSeconds({ start: 0.25, end: 0.6 }, 10)).toEqual({ start: 2.5, end: 6 });
    expect(secondsToSpan({ start: -1, end: 12 }, 10)).toEqual({ start: 0, end: 1 });
    expect(secondsToSpan({ start: 1, end: 2 }, 0)).toEqual({ start: 0, end: 0 });
  });

  it('round-trips', () => {
    fc.assert(
      fc.property(frac, frac, fc.double({ min: 0.01, max: 36000, noNaN: true }), (a, b, d) => {
        const s = { start: Math.min(a, b), end: Math.max(a, b) };
        const back = secondsToSpan(spanToSeconds(s, d), d);
        expect(back.start).toBeCloseTo(s.start, 9);
        expect(back.end).toBeCloseTo(s.end, 9);
      }),
    );
  });
});
