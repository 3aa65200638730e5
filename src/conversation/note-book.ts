import { BoundedLru } from '../bounded-lru';
import type { Logger } from '../logger-type';
import { MemoryNotes } from './shared-notes';
import type { SharedNotes } from './shared-notes';

/** how long an adapter's note lives in the store after it was written (a thread a week old still continues) */
export const ADAPTER_NOTE_TTL_MS = 7 * 24 * 60 * 60_000;

export interface NoteBookOptions {
  /** the platform, as the notes' key prefix and in log lines ('discord', 'slack') */
  platform: string;
  /** entries the in-process cache keeps */
  capacity: number;
  /** the configured store's notes (default: in this process, bounded) */
  notes?: SharedNotes | undefined;
  logger?: Logger | undefined;
  ttlMs?: number;
}

/**
 * An adapter's notes between turns, kept in the configured store so that another instance sharing it
 * serves the next message the same way. The in-process LRU is a read-through cache: it answers alone
 * only for a fact that never changes once written (`stable`: a message's conversation, a bot thread) and,
 * for the others, only while the store cannot answer (logged). A failed write is logged, never thrown:
 * this instance still knows it, other instances do not.
 */
export class NoteBook {
  readonly #notes: SharedNotes;
  readonly #cache: BoundedLru<string, unknown>;
  readonly #platform: string;
  readonly #logger: Logger | undefined;
  readonly #ttlMs: number;

  constructor(options: NoteBookOptions) {
    this.#notes = options.notes ?? new MemoryNotes({ maxEntries: options.capacity * 4 });
    this.#cache = new BoundedLru({ maxEntries: options.capacity });
    this.#platform = options.platform;
    this.#logger = options.logger;
    this.#ttlMs = options.ttlMs ?? ADAPTER_NOTE_TTL_MS;
  }

  async write(key: string, value: unknown): Promise<void> {
    this.#cache.set(key, value);
    try {
      await this.#notes.set(`${this.#platform}:${key}`, value, this.#ttlMs);
    } catch (error) {
      this.#logger?.warn({ err: error, note: key.split(':')[0] }, `${this.#platform}: could not write a note to the store; other instances will not know it`);
    }
  }

  /** `stable`: the value never changes once written, so a cached one is answered without asking the store. */
  async read<T>(key: string, stable: boolean): Promise<T | undefined> {
    if (stable) {
      const cached = this.#cache.get(key);
      if (cached !== undefined) return cached as T;
    }
    try {
      const stored = await this.#notes.get<T>(`${this.#platform}:${key}`);
      if (stored !== undefined) this.#cache.set(key, stored);
      return stored;
    } catch (error) {
      this.#logger?.warn({ err: error, note: key.split(':')[0] }, `${this.#platform}: could not read a note from the store; using this instance's copy`);
      return this.#cache.get(key) as T | undefined;
    }
  }
}
