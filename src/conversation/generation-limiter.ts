import { LegoError } from '../errors';

export interface GenerationLimiterOptions {
  /** generations running at once */
  maxConcurrent: number;
  /** generations allowed to wait for a slot; beyond it run() fails with LegoError('busy') at once */
  maxWaiting: number;
}

interface Waiter {
  start: () => void;
}

/**
 * A global cap on concurrent generations with back-pressure: at most `maxConcurrent` tasks run,
 * at most `maxWaiting` wait in FIFO order, and anything more is refused with a retryable 'busy'
 * instead of piling up in memory. A waiting task whose signal aborts leaves the line ('aborted').
 */
export class GenerationLimiter {
  readonly #options: GenerationLimiterOptions;
  readonly #waiting: Waiter[] = [];
  #active = 0;

  constructor(options: GenerationLimiterOptions) {
    if (options.maxConcurrent < 1) throw new RangeError('maxConcurrent must be at least 1');
    this.#options = options;
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(task: () => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) throw new LegoError('aborted', 'generation aborted before it started', { cause: signal.reason });
    if (this.#active >= this.#options.maxConcurrent) {
      if (this.#waiting.length >= this.#options.maxWaiting) {
        throw new LegoError('busy', `${this.#active} generations running and ${this.#waiting.length} waiting`, {
          details: { active: this.#active, waiting: this.#waiting.length },
        });
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const index = this.#waiting.indexOf(waiter);
          if (index >= 0) this.#waiting.splice(index, 1);
          reject(new LegoError('aborted', 'generation aborted while waiting for a slot', { cause: signal?.reason }));
        };
        const waiter: Waiter = {
          start: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        this.#waiting.push(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    } else {
      this.#active += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) next.start(); // the slot passes straight to the next in line
      else this.#active -= 1;
    }
  }
}
