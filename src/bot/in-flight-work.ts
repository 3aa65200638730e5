/** One answer in progress: its abort controller and what to do when it has to be cut off. */
interface Job {
  controller: AbortController;
  done: Promise<void>;
  /** tell the user the answer was cut off (idempotent; a no-op once the answer was delivered) */
  cutOff: () => Promise<void>;
}

export interface DrainResult {
  finished: number;
  cutOff: number;
}

function sleep(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
}

/** The answers in progress, so that shutdown can let them finish within a grace period or cut them off. */
export class InFlightWork {
  private readonly jobs = new Set<Job>();

  get size(): number {
    return this.jobs.size;
  }

  /** Run `work` as a tracked job; `cutOff` is called when shutdown aborts it and it does not settle. */
  track(work: (signal: AbortSignal) => Promise<void>, cutOff: () => Promise<void>): Promise<void> {
    const controller = new AbortController();
    const job: Job = { controller, cutOff, done: Promise.resolve() };
    const done = work(controller.signal).finally(() => this.jobs.delete(job));
    job.done = done.catch(() => undefined);
    this.jobs.add(job);
    return done;
  }

  /**
   * Wait up to `graceMs` for every job; then abort the rest, give them `settleMs` to say so themselves,
   * and tell the users of any still hanging that their answer was cut off.
   */
  async drain(graceMs: number, settleMs = 3000): Promise<DrainResult> {
    const initial = this.jobs.size;
    if (initial === 0) return { finished: 0, cutOff: 0 };
    const all = (): Promise<void> => Promise.all([...this.jobs].map((job) => job.done)).then(() => undefined);
    if ((await Promise.race([all(), sleep(graceMs)])) !== 'timeout') return { finished: initial, cutOff: 0 };
    const late = [...this.jobs];
    for (const job of late) job.controller.abort(new Error('shutting down'));
    await Promise.race([all(), sleep(settleMs)]);
    await Promise.all([...this.jobs].map((job) => job.cutOff().catch(() => undefined)));
    return { finished: initial - late.length, cutOff: late.length };
  }
}
