import sharp from 'sharp';
import { decodeBudget, DECODES_AT_ONCE, MemoryBudget } from '../../src/media/memory-budget';
import { availableParallelism } from 'node:os';
import { DEFAULT_MEDIA_OPTIONS } from '../../src/media/options';
import { decodeCost } from '../../src/media/image-pipeline';
import type { ImageInfo } from '../../src/media/image-info';
import { prepareImage } from '../../src/media/prepare-image';

const SPEC = { size: 32, padRgb: [0, 0, 0], mean: [0, 0, 0], std: [1, 1, 1] } as const;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('MemoryBudget', () => {
  it('runs tasks side by side while their bytes fit, then one after the other, first come first served', async () => {
    const budget = new MemoryBudget(100);
    const order: string[] = [];
    const gates = { a: deferred(), b: deferred(), c: deferred() };
    const a = budget.run(60, async () => { order.push('a'); await gates.a.promise; });
    const b = budget.run(60, async () => { order.push('b'); await gates.b.promise; });
    const c = budget.run(10, async () => { order.push('c'); await gates.c.promise; });
    await new Promise((r) => setImmediate(r));
    // c would fit beside a, but b came first: no overtaking
    expect(order).toEqual(['a']);
    expect(budget.usedBytes).toBe(60);
    expect(budget.waiting).toBe(2);
    gates.a.resolve();
    await a;
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['a', 'b', 'c']);
    expect(budget.usedBytes).toBe(70);
    gates.b.resolve();
    gates.c.resolve();
    await Promise.all([b, c]);
    expect(budget.usedBytes).toBe(0);
  });

  it('runs a task dearer than the whole budget alone instead of refusing it', async () => {
    const budget = new MemoryBudget(100);
    const { task, most } = concurrencyProbe();
    await Promise.all([budget.run(500, task), budget.run(500, task), budget.run(1, task)]);
    expect(most()).toBe(1);
  });

  it('runs at most maxRunning tasks at once, however few bytes they take', async () => {
    const budget = new MemoryBudget(1_000, 2);
    const { task, most } = concurrencyProbe();
    await Promise.all(Array.from({ length: 6 }, () => budget.run(1, task)));
    expect(most()).toBe(2);
    expect(() => new MemoryBudget(10, 0)).toThrow(RangeError);
  });

  it('the decode budget runs one decode per core at once', async () => {
    expect(DECODES_AT_ONCE).toBe(Math.max(1, availableParallelism()));
    expect(decodeBudget(123_456_789).maxRunning).toBe(DECODES_AT_ONCE);
  });

  it('gives the bytes back when a task fails, and drops a waiter whose signal aborts', async () => {
    const budget = new MemoryBudget(10);
    await expect(budget.run(10, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(budget.usedBytes).toBe(0);
    const gate = deferred();
    const first = budget.run(10, () => gate.promise);
    const controller = new AbortController();
    const second = budget.run(10, async () => 'ran', controller.signal);
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'aborted' });
    expect(budget.waiting).toBe(0);
    gate.resolve();
    await first;
  });
});

describe('image decodes under the decode budget (issue 19, fault 2)', () => {
  it('eight large PNGs at once never hold more than the budget says', async () => {
    // 3000×3000 RGB: 27 MB each at worst; a 40 MB budget lets one run at a time
    const png = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: { r: 9, g: 99, b: 199 } } }).png().toBuffer();
    const decodeMemoryBytes = 40_000_001;
    const options = { ...DEFAULT_MEDIA_OPTIONS, decodeMemoryBytes };
    const budget = decodeBudget(decodeMemoryBytes);
    let mostUsed = 0;
    let mostWaiting = 0;
    const watch = setInterval(() => {
      mostUsed = Math.max(mostUsed, budget.usedBytes);
      mostWaiting = Math.max(mostWaiting, budget.waiting);
    }, 1);
    try {
      const prepared = await Promise.all(Array.from({ length: 8 }, () => prepareImage(png, SPEC, options)));
      expect(prepared.every((p) => p.size.width === 3000)).toBe(true);
    } finally {
      clearInterval(watch);
    }
    expect(mostUsed).toBeGreaterThan(20_000_000);
    expect(mostUsed).toBeLessThanOrEqual(decodeMemoryBytes);
    expect(mostWaiting).toBeGreaterThan(0);
    expect(budget.usedBytes).toBe(0);
  });
});

describe('decodeCost', () => {
  const info = (format: string): ImageInfo => ({
    format, mime: `image/${format}`, bytes: 1, storedSize: { width: 4000, height: 3000 }, size: { width: 4000, height: 3000 },
    orientation: 1, pages: 1, hasAlpha: false, space: 'srgb', depth: 'uchar',
  });

  it('counts the frame at the scale sharp decodes a JPEG at: a whole factor is halved (libjpeg rounding)', () => {
    expect(decodeCost(info('jpeg'), 1280)).toBe(2000 * 1500 * 3); // 3.125: 1/2
    expect(decodeCost(info('jpeg'), 1000)).toBe(2000 * 1500 * 3); // exactly 4: sharp decodes at 1/2
    expect(decodeCost(info('jpeg'), 700)).toBe(1000 * 750 * 3); // 5.7: 1/4
    expect(decodeCost(info('jpeg'), 500)).toBe(1000 * 750 * 3); // exactly 8: 1/4
    expect(decodeCost(info('jpeg'), 96)).toBe(500 * 375 * 3); // 1/8
    expect(decodeCost(info('jpeg'), 2000)).toBe(4000 * 3000 * 3); // exactly 2: full size
    expect(decodeCost(info('png'), 96, 10)).toBe(4000 * 3000 * 3 + 10); // no shrink-on-load
  });
});

/** A 5-ms task that records how many copies of itself ran at once. */
function concurrencyProbe(): { task: () => Promise<void>; most: () => number } {
  let running = 0;
  let most = 0;
  const task = async (): Promise<void> => {
    running += 1;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 5));
    running -= 1;
  };
  return { task, most: () => most };
}
