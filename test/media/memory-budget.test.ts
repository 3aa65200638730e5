import sharp from 'sharp';
import { decodeBudget, MemoryBudget } from '../../src/media/memory-budget';
import { DEFAULT_MEDIA_OPTIONS } from '../../src/media/options';
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
    let running = 0;
    let most = 0;
    const task = async (): Promise<void> => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      running -= 1;
    };
    await Promise.all([budget.run(500, task), budget.run(500, task), budget.run(1, task)]);
    expect(most).toBe(1);
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
