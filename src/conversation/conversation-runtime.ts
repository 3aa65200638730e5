import { ConversationManager } from './conversation-manager';
import type { ConversationEvent } from './conversation-manager';
import { ConversationQueue } from './conversation-queue';
import type { QueueOutcome } from './conversation-queue';
import type { ConversationSession } from './conversation-session';
import { GenerationLimiter } from './generation-limiter';
import { ownerIsDeadHere } from './lease-owner';
import { parseConversationOptions } from './options';
import type { ConversationOptions } from './options';
import { openStoreBackend } from './store-backend';
import type { StoreBackend } from './store-backend';

export interface ConversationRuntimeHooks {
  /** background store errors (lost connections…), for the log */
  onStoreError?: (error: unknown) => void;
  onEvent?: (event: ConversationEvent) => void;
  /** leases of dead processes of this host dropped at start (after a kill -9), for the log */
  onDeadLeasesCleared?: (count: number) => void;
  now?: () => number;
}

/**
 * The conversation layer wired from options: the store backend, the manager, the per-conversation
 * queue and the global generation limiter. The pipeline runs a message as
 *
 *   runtime.turn(key, async (session) => {
 *     const plan = session.beginTurn(text);
 *     if (plan.type === 'reply') return plan.text;
 *     const answer = await runtime.limiter.run(() => generate(plan), { signal: session.signal });
 *     session.addAnswer(answer);
 *     …
 *   });
 */
export interface ConversationRuntime {
  readonly options: ConversationOptions;
  readonly backend: StoreBackend;
  readonly manager: ConversationManager;
  readonly queue: ConversationQueue;
  readonly limiter: GenerationLimiter;
  /** One message of a conversation: queued per conversation (by strategy), then run under its lease. */
  turn<T>(key: string, handler: (session: ConversationSession) => Promise<T> | T, options?: { signal?: AbortSignal }): Promise<QueueOutcome<T>>;
  /** Whether the store answers now: one read of a key nobody writes, bounded by the store's timeout. */
  probeStore(): Promise<{ kind: string; ok: boolean; error?: string; latencyMs: number }>;
  close(): Promise<void>;
}

export async function createConversationRuntime(input: unknown = {}, hooks: ConversationRuntimeHooks = {}): Promise<ConversationRuntime> {
  const options = parseConversationOptions(input);
  const backend = await openStoreBackend({
    store: options.store,
    idleTtlMs: options.idleTtlMs,
    blobTtlMs: options.blobTtlMs,
    maxBlobBytes: options.maxBlobBytes,
    memoryBlobBytes: options.memoryBlobBytes,
    onError: hooks.onStoreError,
  });
  // a process killed with SIGKILL left its leases behind: drop those of this host's dead processes
  // now, so their conversations' next turns do not wait out the TTL
  if (backend.leases.clearDeadOwners !== undefined) {
    try {
      const cleared = await backend.leases.clearDeadOwners((token) => ownerIsDeadHere(token));
      if (cleared > 0) hooks.onDeadLeasesCleared?.(cleared);
    } catch (error) {
      hooks.onStoreError?.(error);
    }
  }
  const manager = new ConversationManager({
    store: backend.store,
    leases: backend.leases,
    settings: options,
    now: hooks.now,
    onEvent: hooks.onEvent,
  });
  const queue = new ConversationQueue({ strategy: options.queueStrategy, maxPending: options.maxPendingPerConversation });
  const limiter = new GenerationLimiter({
    maxConcurrent: options.maxConcurrentGenerations,
    maxWaiting: options.maxWaitingGenerations,
  });
  return {
    options,
    backend,
    manager,
    queue,
    limiter,
    turn: async (key, handler, turnOptions = {}) =>
      queue.run(key, async () => manager.withConversation(key, handler, turnOptions)),
    probeStore: async () => {
      const started = Date.now();
      try {
        await backend.store.get('health-probe');
        return { kind: backend.kind, ok: true, latencyMs: Date.now() - started };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { kind: backend.kind, ok: false, error: message, latencyMs: Date.now() - started };
      }
    },
    close: async () => backend.close(),
  };
}
