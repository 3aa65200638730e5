import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'major'; execution: 'async' }) => Promise<void> | void;

/** V8's collector, reached once: the global `gc` when node runs with --expose-gc, else through a new context. */
let collector: Collect | null | undefined;

/** V8's collector (`gc`), or null where it cannot be reached. */
export function v8Collector(): Collect | null {
  if (collector !== undefined) return collector;
  try {
    const exposed = (globalThis as { gc?: Collect }).gc;
    if (typeof exposed === 'function') collector = exposed;
    else {
      // the flag only gives a `gc` to contexts made after it (as jest's leak detector does it)
      setFlagsFromString('--expose-gc');
      collector = runInNewContext('gc') as Collect;
    }
  } catch {
    collector = null;
  }
  return collector;
}

/** Least time between two collections asked for here: a burst of uploads asks for one. */
const MIN_INTERVAL_MS = 1000;
let lastAt = Number.NEGATIVE_INFINITY;
let pending: NodeJS.Timeout | undefined;

/**
 * Ask V8 for a major collection soon, marked concurrently (`execution: 'async'`), at most once a second.
 * Called when an upload has been prepared ahead of its question (MediaLoader.prepareAhead): a photo's
 * megabytes of external memory make V8 collect at its next busy moment, which is then the answer
 * (bench:photo: a 12 MP turn had a 4–20 ms mark-compact in most answers); asked for while the person
 * is still typing, it happens then. Without a reachable collector it does nothing.
 */
export function collectSoon(delayMs = 50, collect: () => Collect | null = v8Collector): void {
  if (pending !== undefined) return;
  const wait = Math.max(delayMs, lastAt + MIN_INTERVAL_MS - Date.now());
  pending = setTimeout(() => {
    pending = undefined;
    lastAt = Date.now();
    try {
      void Promise.resolve(collect()?.({ type: 'major', execution: 'async' })).catch(() => undefined);
    } catch {
      // best effort: a collection refused changes nothing but the timing
    }
  }, wait);
  pending.unref();
}
