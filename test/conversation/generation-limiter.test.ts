import { GenerationLimiter } from '../../src/conversation/generation-limiter';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('GenerationLimiter', () => {
  test('caps concurrency, queues FIFO, refuses beyond the bound', async () => {
    const limiter = new GenerationLimiter({ maxConcurrent: 2, maxWaiting: 2 });
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        running += 1;
        peak = Math.max(peak, running);
        await g.promise;
        running -= 1;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(limiter.active).toBe(2);
    expect(limiter.waiting).toBe(2);
    await expect(limiter.run(async () => 99)).rejects.toMatchObject({ code: 'busy', retryable: true });
    gates[1]?.resolve();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
    expect(limiter.active).toBe(0);
    expect(limiter.waiting).toBe(0);
  });

  test('a waiting generation whose signal aborts leaves the line', async () => {
    const limiter = new GenerationLimiter({ maxConcurrent: 1, maxWaiting: 5 });
    const g = deferred();
    const first = limiter.run(async () => g.promise);
    const controller = new AbortController();
    const second = limiter.run(async () => 'never', { signal: controller.signal });
    expect(limiter.waiting).toBe(1);
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'aborted' });
    expect(limiter.waiting).toBe(0);
    g.resolve();
    await first;
    expect(await limiter.run(async () => 'next')).toBe('next');
    expect(limiter.active).toBe(0);
  });

  test('a failing task frees its slot', async () => {
    const limiter = new GenerationLimiter({ maxConcurrent: 1, maxWaiting: 0 });
    await expect(limiter.run(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await limiter.run(async () => 1)).toBe(1);
  });
});
