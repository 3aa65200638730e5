import fc from 'fast-check';
import { modelBoxToPixels, pixelBoxToModel } from '../../src/grounding/coordinate-frames';
import { cropBoxToImage, cropPixelsToImage, unionPixelBox, zoomCrop } from '../../src/conversation/zoom';

const settings = { margin: 0.25, minSize: 64 };

describe('zoomCrop', () => {
  test('adds the margin and rounds outwards', () => {
    expect(zoomCrop({ x1: 100, y1: 100, x2: 200, y2: 180 }, { width: 640, height: 480 }, settings)).toEqual({ x: 75, y: 80, width: 150, height: 120 });
  });

  test('grows a tiny box to the minimum size around its centre', () => {
    expect(zoomCrop({ x1: 300, y1: 200, x2: 304, y2: 202 }, { width: 640, height: 480 }, settings)).toEqual({ x: 270, y: 169, width: 64, height: 64 });
  });

  test('slides inside the image at an edge instead of shrinking', () => {
    expect(zoomCrop({ x1: 0, y1: 470, x2: 10, y2: 480 }, { width: 640, height: 480 }, settings)).toEqual({ x: 0, y: 416, width: 64, height: 64 });
  });

  test('never exceeds a small image', () => {
    expect(zoomCrop({ x1: 5, y1: 5, x2: 20, y2: 20 }, { width: 30, height: 40 }, settings)).toEqual({ x: 0, y: 0, width: 30, height: 40 });
  });

  test('union of several boxes', () => {
    expect(unionPixelBox([{ x1: 10, y1: 20, x2: 30, y2: 40 }, { x1: 50, y1: 5, x2: 60, y2: 25 }])).toEqual({ x1: 10, y1: 5, x2: 60, y2: 40 });
  });

  const image = fc.record({ width: fc.integer({ min: 1, max: 4000 }), height: fc.integer({ min: 1, max: 4000 }) });
  const boxIn = (w: number, h: number) =>
    fc
      .tuple(fc.double({ min: 0, max: w, noNaN: true }), fc.double({ min: 0, max: w, noNaN: true }), fc.double({ min: 0, max: h, noNaN: true }), fc.double({ min: 0, max: h, noNaN: true }))
      .map(([a, b, c, d]) => ({ x1: Math.min(a, b), x2: Math.max(a, b), y1: Math.min(c, d), y2: Math.max(c, d) }));

  test('property: the crop is inside the image, contains the box, and is at least min(minSize, side)', () => {
    fc.assert(
      fc.property(
        image.chain((size) => fc.tuple(fc.constant(size), boxIn(size.width, size.height))),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 512 }),
        ([size, box], margin, minSize) => {
          const crop = zoomCrop(box, size, { margin, minSize });
          expect(Number.isInteger(crop.x) && Number.isInteger(crop.width)).toBe(true);
          expect(crop.x).toBeGreaterThanOrEqual(0);
          expect(crop.y).toBeGreaterThanOrEqual(0);
          expect(crop.x + crop.width).toBeLessThanOrEqual(size.width);
          expect(crop.y + crop.height).toBeLessThanOrEqual(size.height);
          expect(crop.width).toBeGreaterThanOrEqual(Math.min(minSize, size.width));
          expect(crop.height).toBeGreaterThanOrEqual(Math.min(minSize, size.height));
          expect(crop.x).toBeLessThanOrEqual(box.x1 + 1e-9);
          expect(crop.y).toBeLessThanOrEqual(box.y1 + 1e-9);
          expect(crop.x + crop.width).toBeGreaterThanOrEqual(box.x2 - 1e-9);
          expect(crop.y + crop.height).toBeGreaterThanOrEqual(box.y2 - 1e-9);
        },
      ),
    );
  });

  test('property: a box found on the crop maps back to the same place on the full image', () => {
    fc.assert(
      fc.property(
        image.chain((size) => fc.tuple(fc.constant(size), boxIn(size.width, size.height))),
        ([size, target]) => {
          const crop = zoomCrop(target, size, settings);
          // what a perfect model would answer on the crop: the target in the crop's own model frame
          const onCrop = { x1: target.x1 - crop.x, y1: target.y1 - crop.y, x2: target.x2 - crop.x, y2: target.y2 - crop.y };
          const cropModel = pixelBoxToModel(onCrop, { width: crop.width, height: crop.height });
          const { pixels, box } = cropBoxToImage(cropModel, crop, size);
          for (const k of ['x1', 'y1', 'x2', 'y2'] as const) expect(pixels[k]).toBeCloseTo(target[k], 6);
          const back = modelBoxToPixels(box, size);
          for (const k of ['x1', 'y1', 'x2', 'y2'] as const) expect(back[k]).toBeCloseTo(target[k], 6);
        },
      ),
    );
  });

  test('cropPixelsToImage offsets by the crop origin', () => {
    expect(cropPixelsToImage({ x1: 1, y1: 2, x2: 3, y2: 4 }, { x: 10, y: 20, width: 5, height: 5 })).toEqual({ x1: 11, y1: 22, x2: 13, y2: 24 });
  });
});
