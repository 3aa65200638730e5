import type { Keyv } from 'keyv';
import { BoundedLru } from '../bounded-lru';
import { isCorruptValue } from './keyv-json';
import { callStore } from './store-call';

/**
 * Small facts an adapter keeps between turns (which conversation a message belongs to, the threads the
 * bot opened, each user's latest conversation in a channel), in the configured store so that any
 * instance sharing the store can serve the next turn. Each note expires `ttlMs` after it was written.
 */
export interface SharedNotes {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
}

/** In this process only, bounded (the memory store, or an adapter run without a shared store). */
export class MemoryNotes implements SharedNotes {
  readonly #entries: BoundedLru<string, { value: unknown; expires: number }>;
  readonly #now: () => number;

  constructor(options: { maxEntries: number; now?: () => number }) {
    this.#entries = new BoundedLru({ maxEntries: options.maxEntries });
    this.#now = options.now ?? Date.now;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    this.#entries.set(key, { value, expires: this.#now() + ttlMs });
  }
}

/** In the shared keyv store (SQLite, Redis) under `<namespace>:note:<key>`; expiry is the store's. */
export class KeyvNotes implements SharedNotes {
  readonly #keyv: Keyv;
  readonly #namespace: string;
  readonly #timeoutMs: number;

  constructor(keyv: Keyv, options: { namespace: string; timeoutMs: number }) {
    this.#keyv = keyv;
    this.#namespace = options.namespace;
    this.#timeoutMs = options.timeoutMs;
  }

  #key(key: string): string {
    return `${this.#namespace}:note:${key}`;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const value: unknown = await callStore('read a note', this.#timeoutMs, () => this.#keyv.get(this.#key(key)));
    if (value === undefined || value === null || isCorruptValue(value)) return undefined;
    return value as T;
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    await callStore('write a note', this.#timeoutMs, () => this.#keyv.set(this.#key(key), value, Math.ceil(ttlMs)));
  }
}
