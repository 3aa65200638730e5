import { constants, PerformanceObserver } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { collectSoon, v8Collector } from '../src/idle-collect';

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

describe('collectSoon: a major collection while the process is idle', () => {
  it('reaches V8\'s collector without --expose-gc, and a call really runs a major collection', async () => {
    const collect = v8Collector();
    expect(typeof collect).toBe('function');
    let majors = 0;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
        if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors += 1;
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    try {
      await collect!({ type: 'major', execution: 'async' });
      await sleep(300);
    } finally {
      observer.disconnect();
    }
    expect(majors).toBeGreaterThanOrEqual(1);
  });

  it('asks once for a burst of calls, at most once a second, and never drops a call', async () => {
    const calls: { type: string; execution: string }[] = [];
    const fake = () => (options: { type: 'major'; execution: 'async' }) => {
      calls.push(options);
    };
    await sleep(1100); // past any collection asked for by the test above
    collectSoon(10, fake);
    collectSoon(10, fake);
    collectSoon(10, fake);
    await sleep(100);
    expect(calls).toEqual([{ type: 'major', execution: 'async' }]);
    collectSoon(10, fake); // within a second of the last: deferred, not dropped
    await sleep(300);
    expect(calls).toHaveLength(1);
    await sleep(900);
    expect(calls).toHaveLength(2);
  });

  it('does nothing where no collector can be reached', async () => {
    await sleep(1100);
    expect(() => collectSoon(0, () => null)).not.toThrow();
    await sleep(50);
  });
});
