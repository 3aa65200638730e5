import { LegoError } from '../errors';
import type { QueueStrategy } from './options';

/** How a queued task ended: run, dropped (strategy drop) or replaced by a newer message (latest-only). */
export type QueueOutcome<T> = { status: 'done'; value: T } | { status: 'dropped' } | { status: 'superseded' };

export interface ConversationQueueOptions {
  strategy: QueueStrategy;
  /** waiting tasks per conversation with strategy 'queue'; more are refused with LegoError('busy') */
  maxPending: number;
}

interface Pending {
  run: () => void;
  supersede: () => void;
}

interface Lane {
  running: boolean;
  pending: Pending[];
}

/**
 * Runs one task at a time per conversation key, in this process. While a task runs, a new one is
 * handled by the strategy: 'queue' runs it afterwards (FIFO, bounded), 'drop' refuses it at once
 * (`dropped`), 'latest-only' keeps only the newest waiting task (older waiting ones end `superseded`).
 * A task's own failure rejects its promise and does not stop the ones after it.
 */
export class ConversationQueue {
  readonly #options: ConversationQueueOptions;
  readonly #lanes = new Map<string, Lane>();

  constructor(options: ConversationQueueOptions) {
    this.#options = options;
  }

  /** Whether a task of this conversation is running now. */
  isBusy(key: string): boolean {
    return this.#lanes.get(key)?.running ?? false;
  }

  /** Tasks of this conversation waiting to run. */
  pending(key: string): number {
    return this.#lanes.get(key)?.pending.length ?? 0;
  }

  /** Conversations with a running task. */
  get activeConversations(): number {
    return this.#lanes.size;
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<QueueOutcome<T>> {
    let lane = this.#lanes.get(key);
    if (lane === undefined) {
      lane = { running: false, pending: [] };
      this.#lanes.set(key, lane);
    }
    if (!lane.running) return this.#start(key, lane, task);

    switch (this.#options.strategy) {
      case 'drop':
        return { status: 'dropped' };
      case 'latest-only':
        for (const older of lane.pending.splice(0)) older.supersede();
        break;
      case 'queue':
        if (lane.pending.length >= this.#options.maxPending) {
          throw new LegoError('busy', `conversation ${JSON.stringify(key)} has ${lane.pending.length} messages waiting`, {
            userMessage: 'I still have several of your messages to answer here, please wait a moment.',
            details: { key, pending: lane.pending.length },
          });
        }
        break;
    }
    const current = lane;
    return new Promise<QueueOutcome<T>>((resolve, reject) => {
      current.pending.push({
        run: () => {
          this.#start(key, current, task).then(resolve, reject);
        },
        supersede: () => resolve({ status: 'superseded' }),
      });
    });
  }

  async #start<T>(key: string, lane: Lane, task: () => Promise<T>): Promise<QueueOutcome<T>> {
    lane.running = true;
    try {
      return { status: 'done', value: await task() };
    } finally {
      const next = lane.pending.shift();
      if (next !== undefined) {
        next.run();
      } else {
        lane.running = false;
        this.#lanes.delete(key);
      }
    }
  }
}
