/**
 * A set that remembers at most `capacity` keys, forgetting the oldest first. The adapter keeps two:
 * the deliveries it has already taken (Slack retries a delivery it thinks was lost) and the threads
 * it has answered in (follow-ups there need no mention). Per adapter instance, never module state.
 */
export class BoundedSet {
  private readonly keys = new Map<string, true>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Add `key` (refreshing it when present); true when it was new. */
  add(key: string): boolean {
    const isNew = !this.keys.delete(key);
    this.keys.set(key, true);
    while (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next();
      if (oldest.done === true) break;
      this.keys.delete(oldest.value);
    }
    return isNew;
  }

  get size(): number {
    return this.keys.size;
  }
}
