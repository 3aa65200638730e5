import { BoundedLru } from '../bounded-lru';
import { LegoError } from '../errors';
import type { ConversationLeases } from './conversation-leases';
import { ConversationSession } from './conversation-session';
import type { SessionSettings } from './conversation-session';
import type { ConversationStore } from './conversation-store';
import { createConversationRecord } from './record';
import type { ConversationRecord } from './record';

export interface ConversationManagerSettings extends SessionSettings {
  idleTtlMs: number;
  leaseMs: number;
  leaseWaitMs: number;
  leaseRetryMs: number;
  maxHeldRecords: number;
}

/** What the manager reports for the log (never shown to people as is). */
export type ConversationEvent =
  | { type: 'record-corrupt'; key: string; error: LegoError }
  | { type: 'record-held'; key: string; error: LegoError }
  | { type: 'held-restored'; key: string }
  | { type: 'held-discarded'; key: string; reason: 'stale' | 'overflow' }
  | { type: 'lease-lost'; key: string }
  | { type: 'turns-dropped'; key: string; count: number };

export interface ConversationManagerDeps {
  store: ConversationStore;
  leases: ConversationLeases;
  settings: ConversationManagerSettings;
  now?: () => number;
  onEvent?: (event: ConversationEvent) => void;
}

export interface WithConversationOptions {
  signal?: AbortSignal;
}

interface Held {
  record: ConversationRecord;
  /** revision of the stored record the held one was built on */
  baseRevision: number;
}

function abortError(signal: AbortSignal): LegoError {
  return LegoError.is(signal.reason) ? signal.reason : new LegoError('aborted', 'conversation turn aborted', { cause: signal.reason });
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) throw abortError(signal);
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Loads, hands out and saves conversations, one turn at a time per conversation across processes:
 * `withConversation(key, handler)` takes the conversation's lease (waiting while another process
 * holds it), renews it while the handler runs, loads the record (a corrupted one is reported and
 * replaced by a fresh one), runs the handler on a ConversationSession, saves if it changed anything,
 * and releases the lease. A handler that throws saves nothing.
 *
 * When a save fails because the store is down, the record is held in memory (bounded) and written
 * back at the next turn of that conversation once the store answers again — unless the stored record
 * moved on meanwhile (another process wrote it), in which case the held one is discarded rather than
 * overwriting newer turns.
 */
export class ConversationManager {
  readonly #store: ConversationStore;
  readonly #leases: ConversationLeases;
  readonly #settings: ConversationManagerSettings;
  readonly #now: () => number;
  readonly #onEvent: (event: ConversationEvent) => void;
  /** records whose save failed, oldest dropped first beyond `maxHeldRecords` */
  readonly #held: BoundedLru<string, Held>;

  constructor(deps: ConversationManagerDeps) {
    this.#store = deps.store;
    this.#leases = deps.leases;
    this.#settings = deps.settings;
    this.#now = deps.now ?? Date.now;
    this.#onEvent = deps.onEvent ?? (() => undefined);
    this.#held = new BoundedLru({
      maxEntries: this.#settings.maxHeldRecords,
      onEvict: (key) => this.#onEvent({ type: 'held-discarded', key, reason: 'overflow' }),
    });
  }

  /** Conversations whose last save failed and that are waiting to be written back. */
  heldKeys(): string[] {
    return [...this.#held.entries()].map(([key]) => key);
  }

  async withConversation<T>(
    key: string,
    handler: (session: ConversationSession) => Promise<T> | T,
    options: WithConversationOptions = {},
  ): Promise<T> {
    if (key === '') throw new LegoError('internal', 'empty conversation key');
    const token = await this.#acquire(key, options.signal);
    const lease = this.#keepRenewed(key, token, options.signal);
    try {
      const { session, restored, baseRevision } = await this.#load(key, lease.signal);
      const result = await handler(session);
      if (lease.signal.aborted) throw abortError(lease.signal);
      if (session.changed || restored) await this.#save(key, token, session, baseRevision);
      return result;
    } finally {
      lease.stop();
      await this.#leases.release(key, token).catch(() => false);
    }
  }

  /** Read a conversation without taking its lease (a corrupted record reads as none). */
  async read(key: string): Promise<ConversationRecord | undefined> {
    try {
      return this.#fresh(await this.#store.get(key));
    } catch (error) {
      if (LegoError.is(error, 'store-corrupt')) return undefined;
      throw error;
    }
  }

  /** Delete a conversation (under its lease). */
  async delete(key: string, options: WithConversationOptions = {}): Promise<boolean> {
    const token = await this.#acquire(key, options.signal);
    try {
      this.#held.delete(key);
      return await this.#store.delete(key);
    } finally {
      await this.#leases.release(key, token).catch(() => false);
    }
  }

  /** Try to write back every held record now; returns how many were written. */
  async flushHeld(): Promise<number> {
    let written = 0;
    for (const key of this.heldKeys()) {
      try {
        await this.withConversation(key, () => undefined);
        if (!this.#held.has(key)) written += 1;
      } catch {
        // still unavailable (or busy): stays held
      }
    }
    return written;
  }

  async #acquire(key: string, signal: AbortSignal | undefined): Promise<string> {
    const deadline = this.#now() + this.#settings.leaseWaitMs;
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const token = await this.#leases.acquire(key, this.#settings.leaseMs);
      if (token !== undefined) return token;
      const left = deadline - this.#now();
      if (left <= 0) {
        throw new LegoError('busy', `conversation ${JSON.stringify(key)} is still being answered elsewhere`, {
          userMessage: 'I am still answering an earlier message in this conversation, please try again in a moment.',
          details: { key },
        });
      }
      const retry = this.#settings.leaseRetryMs * (0.5 + Math.random());
      await pause(Math.min(retry, left), signal);
    }
  }

  #keepRenewed(key: string, token: string, outer: AbortSignal | undefined): { signal: AbortSignal; stop: () => void } {
    const controller = new AbortController();
    const onOuterAbort = (): void => controller.abort(outer?.reason);
    if (outer?.aborted) controller.abort(outer.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    let busy = false;
    const timer = setInterval(() => {
      if (busy || controller.signal.aborted) return;
      busy = true;
      this.#leases
        .renew(key, token, this.#settings.leaseMs)
        .then((owned) => {
          if (owned) return;
          this.#onEvent({ type: 'lease-lost', key });
          controller.abort(new LegoError('busy', `lost the lease of conversation ${JSON.stringify(key)}`));
        })
        .catch(() => undefined) // store blip: try again at the next tick; the save checks ownership
        .finally(() => {
          busy = false;
        });
    }, Math.max(10, Math.floor(this.#settings.leaseMs / 3)));
    timer.unref();
    return {
      signal: controller.signal,
      stop: () => {
        clearInterval(timer);
        outer?.removeEventListener('abort', onOuterAbort);
      },
    };
  }

  #fresh(record: ConversationRecord | undefined): ConversationRecord | undefined {
    if (record === undefined) return undefined;
    return record.updatedAt + this.#settings.idleTtlMs < this.#now() ? undefined : record;
  }

  async #load(key: string, signal: AbortSignal): Promise<{ session: ConversationSession; restored: boolean; baseRevision: number }> {
    const notices: LegoError[] = [];
    let stored: ConversationRecord | undefined;
    try {
      stored = this.#fresh(await this.#store.get(key));
    } catch (error) {
      if (!LegoError.is(error, 'store-corrupt')) throw error;
      notices.push(error);
      this.#onEvent({ type: 'record-corrupt', key, error });
    }
    const baseRevision = stored?.revision ?? 0;
    let record = stored;
    let restored = false;
    const held = this.#held.peek(key);
    if (held !== undefined) {
      // Written back unless the stored record moved on meanwhile; a missing one (expired, lost by a
      // store restarted without persistence, corrupted) cannot hold newer turns.
      if (stored === undefined || held.baseRevision === baseRevision) {
        record = held.record;
        restored = true;
        this.#onEvent({ type: 'held-restored', key });
      } else {
        this.#held.delete(key);
        this.#onEvent({ type: 'held-discarded', key, reason: 'stale' });
      }
    }
    record ??= createConversationRecord(key, this.#now(), baseRevision);
    const session = new ConversationSession(record, this.#settings, { now: this.#now, notices, signal });
    return { session, restored, baseRevision };
  }

  async #save(key: string, token: string, session: ConversationSession, baseRevision: number): Promise<void> {
    const { record, droppedTurns } = session.snapshot();
    if (droppedTurns > 0) this.#onEvent({ type: 'turns-dropped', key, count: droppedTurns });
    try {
      // Fencing: write only while still the owner, or another process may have moved on.
      const owned = await this.#leases.renew(key, token, this.#settings.leaseMs);
      if (!owned) {
        this.#onEvent({ type: 'lease-lost', key });
        throw new LegoError('busy', `lost the lease of conversation ${JSON.stringify(key)} before saving`, { details: { key } });
      }
      await this.#store.set(key, record);
      this.#held.delete(key);
    } catch (error) {
      if (LegoError.is(error, 'store-unavailable')) this.#hold(key, { record, baseRevision }, error);
      throw error;
    }
  }

  #hold(key: string, held: Held, error: LegoError): void {
    if (this.#settings.maxHeldRecords <= 0) return;
    this.#held.set(key, held);
    this.#onEvent({ type: 'record-held', key, error });
  }
}
