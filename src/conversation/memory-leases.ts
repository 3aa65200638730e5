import { randomUUID } from 'node:crypto';
import type { ConversationLeases } from './conversation-leases';

interface Held {
  token: string;
  expiresAt: number;
}

/** Leases for the in-memory store: shared by everything in this process that uses this instance. */
export class MemoryLeases implements ConversationLeases {
  readonly #held = new Map<string, Held>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async acquire(key: string, ttlMs: number): Promise<string | undefined> {
    const now = this.#now();
    const held = this.#held.get(key);
    if (held !== undefined && held.expiresAt > now) return undefined;
    const token = randomUUID();
    this.#held.set(key, { token, expiresAt: now + ttlMs });
    return token;
  }

  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const held = this.#held.get(key);
    if (held === undefined || held.token !== token || held.expiresAt <= now) return false;
    held.expiresAt = now + ttlMs;
    return true;
  }

  async release(key: string, token: string): Promise<boolean> {
    const held = this.#held.get(key);
    if (held === undefined || held.token !== token) return false;
    this.#held.delete(key);
    return held.expiresAt > this.#now();
  }
}
