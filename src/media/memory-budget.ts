import { availableParallelism } from 'node:os';
import { abortedError } from './media-errors';

interface Waiter {
  cost: number;
  admit: () => void;
}

/**
 * A limiter counted in bytes: each task states what it may hold at its peak, and tasks wait (first
 * come, first served) until their cost fits beside those running. A task dearer than the whole budget
 * runs alone, so nothing is refused here: the header limits (`inspectImage`) refuse what is too big.
 */
export class MemoryBudget {
  readonly capacityBytes: number;
  /** tasks running at once at most, whatever their bytes */
  readonly maxRunning: number;
  #used = 0;
  #running = 0;
  readonly #queue: Waiter[] = [];

  constructor(capacityBytes: number, maxRunning = Number.POSITIVE_INFINITY) {
    if (!(Number.isFinite(capacityBytes) && capacityBytes > 0)) throw new RangeError(`memory budget must be positive, got ${capacityBytes}`);
    if (!(maxRunning >= 1)) throw new RangeError(`at least one task must run, got ${maxRunning}`);
    this.capacityBytes = capacityBytes;
    this.maxRunning = maxRunning;
  }

  /** bytes held by the tasks running now */
  get usedBytes(): number {
    return this.#used;
  }

  /** tasks waiting for room */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Run `task` once `costBytes` fit in the budget; the bytes are given back when it settles. */
  async run<T>(costBytes: number, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const cost = Math.min(this.capacityBytes, Math.max(0, Math.ceil(costBytes)));
    await this.#acquire(cost, signal);
    try {
      return await task();
    } finally {
      this.#used -= cost;
      this.#running -= 1;
      this.#drain();
    }
  }

  #fits(cost: number): boolean {
    return this.#running === 0 || (this.#used + cost <= this.capacityBytes && this.#running < this.maxRunning);
  }

  #acquire(cost: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(abortedError());
    if (this.#queue.length === 0 && this.#fits(cost)) {
      this.#used += cost;
      this.#running += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.#queue.indexOf(waiter);
        if (at >= 0) this.#queue.splice(at, 1);
        reject(abortedError());
        this.#drain();
      };
      const waiter: Waiter = {
        cost,
        admit: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #drain(): void {
    for (let head = this.#queue[0]; head !== undefined && this.#fits(head.cost); head = this.#queue[0]) {
      this.#queue.shift();
      this.#used += head.cost;
      this.#running += 1;
      head.admit();
    }
  }
}

const shared = new Map<number, MemoryBudget>();

/**
 * Image decodes and renders running at once at most: one per core. Each libvips pipeline already runs
 * on several threads, so more at once only add their buffers (and glibc arenas for libvips' threads):
 * 8 photo turns at once (bench:photo's burst of 12 MP photos, 2 cores) peaked ~30–40 MB higher with all
 * of them decoding together than with two at a time, for no gain in time.
 */
export const DECODES_AT_ONCE = Math.max(1, availableParallelism());

/**
 * The process's decode budget for `capacityBytes` (`MediaOptions.decodeMemoryBytes`): every image
 * decode and render made with the same settings shares it, whichever surface asked; at most
 * `DECODES_AT_ONCE` run together.
 */
export function decodeBudget(capacityBytes: number): MemoryBudget {
  let budget = shared.get(capacityBytes);
  if (budget === undefined) {
    budget = new MemoryBudget(capacityBytes, DECODES_AT_ONCE);
    shared.set(capacityBytes, budget);
  }
  return budget;
}
