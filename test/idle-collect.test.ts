import { constants, PerformanceObserver } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { collectSoon } from '../src/idle-collect';

/** Major collections (mark-compact) V8 reports while `during` runs, and for a moment after. */
async function majorCollections(during: () => Promise<void>): Promise<number> {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) count += 1;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    await during();
    await new Promise((done) => setTimeout(done, 300));
  } finally {
    observer.disconnect();
  }
  return count;
}

describe('collectSoon: a major collection while the process is idle', () => {
  it('collects soon after it is asked, and a burst of asks within a second is one collection', async () => {
    // nothing allocates here: without the ask V8 has no reason to mark-compact
    expect(await majorCollections(() => new Promise((done) => setTimeout(done, 200)))).toBe(0);
    const asked = await majorCollections(async () => {
      collectSoon(10);
      collectSoon(10);
      collectSoon(10);
      await new Promise((done) => setTimeout(done, 200));
    });
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(asked).toBeLessThanOrEqual(2); // an async major collection may report its finishing pass apart
    // within a second of the last one: deferred, not dropped
    const soonAgain = await majorCollections(async () => {
      collectSoon(10);
      await new Promise((done) => setTimeout(done, 100));
    });
    expect(soonAgain).toBe(0);
    expect(await majorCollections(() => new Promise((done) => setTimeout(done, 1200)))).toBeGreaterThanOrEqual(1);
  });
});
