/**
 * A bounded in-memory cache of byte blobs with metadata: entries expire after `ttlMs`, and when the
 * total size would pass `maxBytes` the oldest entries are dropped first. Owned by one adapter instance.
 */
export interface CachedBlob<M> {
  id: string;
  data: Buffer;
  meta: M;
  storedAt: number;
}

export interface MemoryBlobCacheOptions {
  maxBytes: number;
  /** 0 = never expire (size-bounded only) */
  ttlMs: number;
  now?: () => number;
}

export class MemoryBlobCache<M> {
  private readonly entries = new Map<string, CachedBlob<M>>();
  private totalBytes = 0;
  private readonly now: () => number;

  constructor(private readonly options: MemoryBlobCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  put(id: string, data: Buffer, meta: M): CachedBlob<M> {
    this.delete(id);
    this.prune();
    while (this.totalBytes + data.length > this.options.maxBytes && this.entries.size > 0) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
    }
    const entry: CachedBlob<M> = { id, data, meta, storedAt: this.now() };
    this.entries.set(id, entry);
    this.totalBytes += data.length;
    return entry;
  }

  get(id: string): CachedBlob<M> | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    if (this.expired(entry)) {
      this.delete(id);
      return undefined;
    }
    return entry;
  }

  delete(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    this.totalBytes -= entry.data.length;
  }

  /** Deletes every entry whose metadata matches. */
  deleteWhere(predicate: (meta: M) => boolean): void {
    for (const entry of [...this.entries.values()]) if (predicate(entry.meta)) this.delete(entry.id);
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  private prune(): void {
    for (const entry of [...this.entries.values()]) if (this.expired(entry)) this.delete(entry.id);
  }

  private expired(entry: CachedBlob<M>): boolean {
    return this.options.ttlMs > 0 && this.now() - entry.storedAt > this.options.ttlMs;
  }
}
