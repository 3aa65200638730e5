import { LegoError } from '../errors';

interface Waiter {
  start: () => void;
  cancel: (error: LegoError) => void;
}

/**
 * Runs tasks one at a time, first come first served. A task whose signal aborts while it waits leaves
 * the queue without running. Used per engine so that concurrent requests never share a session run.
 */
export class WorkQueue {
  private running = false;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly maxWaiting: number = Number.POSITIVE_INFINITY) {}

  /** Number of tasks waiting (not counting the one running). */
  get length(): number {
    return this.waiting.length;
  }

  get busy(): boolean {
    return this.running;
  }

  /**
   * Runs `task` when its turn comes. Rejects with LegoError('busy') when the queue is full, or with the
   * signal's reason (as a LegoError 'aborted') when the signal aborts before the task starts.
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Cancels every waiting task with `error`; the running one is left to finish. */
  cancelWaiting(error: LegoError): void {
    for (const w of this.waiting.splice(0)) w.cancel(error);
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (!this.running) {
      this.running = true;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxWaiting) {
      return Promise.reject(new LegoError('busy', `work queue full (${this.maxWaiting} waiting)`));
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortError(signal!));
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        cancel: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next === undefined) {
      this.running = false;
      return;
    }
    next.start();
  }
}

function abortError(signal: AbortSignal): LegoError {
  const reason: unknown = signal.reason;
  if (reason instanceof LegoError) return reason;
  return new LegoError('aborted', 'aborted while waiting for the engine', { cause: reason });
}
