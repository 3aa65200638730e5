export interface BoundedLruOptions<K, V> {
  /** the most entries kept (default: no limit by count) */
  maxEntries?: number;
  /** the most total size kept, as `sizeOf` measures it (default: no limit by size) */
  maxSize?: number;
  /** the size of one entry, e.g. its bytes (default 1) */
  sizeOf?: (value: V, key: K) => number;
  /** an entry older than this (since it was set) is gone; 0 = never (default) */
  ttlMs?: number;
  /** told about each entry dropped to make room or expired (not about `delete`/`clear`) */
  onEvict?: (key: K, value: V, why: 'full' | 'expired') => void;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  size: number;
  setAt: number;
}

/**
 * The one bounded least-recently-used map of the project: bounded by entries, by a total size (give a
 * `sizeOf` — bytes for caches of buffers), or both, with an optional time-to-live. `get` refreshes an entry;
 * the least recently used go first. Per owner instance, never module state. An entry larger than
 * `maxSize` by itself is not kept.
 */
export class BoundedLru<K, V> {
  readonly #entries = new Map<K, Entry<V>>();
  readonly #maxEntries: number;
  readonly #maxSize: number;
  readonly #sizeOf: (value: V, key: K) => number;
  readonly #ttlMs: number;
  readonly #onEvict: ((key: K, value: V, why: 'full' | 'expired') => void) | undefined;
  readonly #now: () => number;
  #size = 0;

  constructor(options: BoundedLruOptions<K, V> = {}) {
    this.#maxEntries = Math.max(0, options.maxEntries ?? Number.POSITIVE_INFINITY);
    this.#maxSize = Math.max(0, options.maxSize ?? Number.POSITIVE_INFINITY);
    this.#sizeOf = options.sizeOf ?? (() => 1);
    this.#ttlMs = Math.max(0, options.ttlMs ?? 0);
    this.#onEvict = options.onEvict;
    this.#now = options.now ?? Date.now;
  }

  /** Entries kept now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Their total size (`sizeOf` summed). */
  get totalSize(): number {
    return this.#size;
  }

  /** The value, refreshed as the most recently used; undefined when absent or expired. */
  get(key: K): V | undefined {
    const entry = this.#live(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** The value without refreshing it. */
  peek(key: K): V | undefined {
    return this.#live(key)?.value;
  }

  has(key: K): boolean {
    return this.#live(key) !== undefined;
  }

  /** Keep `value` as the most recently used, dropping the least recently used beyond the bounds. False when it cannot be kept at all. */
  set(key: K, value: V): boolean {
    this.delete(key);
    const size = this.#sizeOf(value, key);
    if (this.#maxEntries === 0 || size > this.#maxSize) return false;
    this.#prune();
    while (this.#entries.size > 0 && (this.#entries.size + 1 > this.#maxEntries || this.#size + size > this.#maxSize)) {
      const [oldest, entry] = this.#entries.entries().next().value as [K, Entry<V>];
      this.#drop(oldest, entry, 'full');
    }
    this.#entries.set(key, { value, size, setAt: this.#now() });
    this.#size += size;
    return true;
  }

  delete(key: K): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    this.#size -= entry.size;
    return true;
  }

  /** Deletes every entry for which `predicate` holds. */
  deleteWhere(predicate: (value: V, key: K) => boolean): void {
    for (const [key, entry] of [...this.#entries]) if (predicate(entry.value, key)) this.delete(key);
  }

  clear(): void {
    this.#entries.clear();
    this.#size = 0;
  }

  /** The live entries, least recently used first. */
  *entries(): IterableIterator<[K, V]> {
    for (const [key, entry] of [...this.#entries]) if (!this.#expired(entry)) yield [key, entry.value];
  }

  #live(key: K): Entry<V> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#expired(entry)) {
      this.#drop(key, entry, 'expired');
      return undefined;
    }
    return entry;
  }

  #expired(entry: Entry<V>): boolean {
    return this.#ttlMs > 0 && this.#now() - entry.setAt > this.#ttlMs;
  }

  #prune(): void {
    if (this.#ttlMs === 0) return;
    for (const [key, entry] of [...this.#entries]) if (this.#expired(entry)) this.#drop(key, entry, 'expired');
  }

  #drop(key: K, entry: Entry<V>, why: 'full' | 'expired'): void {
    this.#entries.delete(key);
    this.#size -= entry.size;
    this.#onEvict?.(key, entry.value, why);
  }
}
