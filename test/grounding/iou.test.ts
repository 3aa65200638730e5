import fc from 'fast-check';
import { boxIou, spanIou } from '../../src/grounding/iou';

const frac = fc.double({ min: 0, max: 1, noNaN: true });
const box = fc
  .tuple(frac, frac, frac, frac)
  .map(([a, b, c, d]) => ({ x1: Math.min(a, c), y1: Math.min(b, d), x2: Math.max(a, c), y2: Math.max(b, d) }));

describe('IoU', () => {
  it('known values', () => {
    expect(boxIou({ x1: 0, y1: 0, x2: 2, y2: 2 }, { x1: 1, y1: 1, x2: 3, y2: 3 })).toBeCloseTo(1 / 7, 12);
    expect(boxIou({ x1: 0, y1: 0, x2: 1, y2: 1 }, { x1: 2, y1: 2, x2: 3, y2: 3 })).toBe(0);
    expect(boxIou({ x1: 0, y1: 0, x2: 0, y2: 0 }, { x1: 0, y1: 0, x2: 0, y2: 0 })).toBe(0);
    expect(spanIou({ start: 0, end: 0.5 }, { start: 0.25, end: 1 })).toBeCloseTo(0.25, 12);
    expect(spanIou({ start: 0.5, end: 0.1 }, { start: 0, end: 1 })).toBe(0);
  });

  it('is symmetric, in [0, 1], and 1 for a box with itself', () => {
    fc.assert(
      fc.property(box, box, (a, b) => {
        const v = boxIou(a, b);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1 + 1e-12);
        expect(boxIou(b, a)).toBeCloseTo(v, 12);
        const area = (a.x2 - a.x1) * (a.y2 - a.y1);
        if (area > 1e-12) expect(boxIou(a, a)).toBeCloseTo(1, 9);
        expect(spanIou({ start: a.x1, end: a.x2 }, { start: b.x1, end: b.x2 })).toBeLessThanOrEqual(1 + 1e-12);
      }),
    );
  });
});
