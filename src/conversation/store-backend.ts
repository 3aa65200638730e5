import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Keyv } from 'keyv';
import KeyvRedis, { createClient } from '@keyv/redis';
import { KeyvSqlite } from '@keyv/sqlite';
import { KeyvBlobStore } from './blob-store';
import { MemoryBlobStore } from './memory-blob-store';
import type { BlobStore } from './blob-store';
import type { ConversationLeases } from './conversation-leases';
import type { ConversationStore } from './conversation-store';
import { KeyvConversationStore } from './keyv-conversation-store';
import { deserializeJson, serializeJson } from './keyv-json';
import { MemoryLeases } from './memory-leases';
import type { StoreOptions } from './options';
import { RedisLeases } from './redis-leases';
import { SqliteLeases } from './sqlite-leases';
import { KeyvNotes, MemoryNotes } from './shared-notes';
import type { SharedNotes } from './shared-notes';
import { MemoryUsageCounters, RedisUsageCounters, SqliteUsageCounters } from './usage-counters';
import type { UsageCounters } from './usage-counters';
import type { SqliteQuery } from './sqlite-leases';

/** Everything one store configuration provides: conversations, their leases and the blob store. */
export interface StoreBackend {
  readonly kind: StoreOptions['kind'];
  readonly store: ConversationStore;
  readonly leases: ConversationLeases;
  readonly blobs: BlobStore;
  /** expiring counters shared by every instance on this store (per-user limits) */
  readonly counters: UsageCounters;
  /**
   * adapters' notes between turns (reply chains, bot threads, latest conversation per user): shared by
   * every instance on SQLite and Redis; bounded and in this process for the memory store
   */
  readonly notes: SharedNotes;
  /** Close connections and timers. Safe to call twice. */
  close(): Promise<void>;
}

export interface StoreBackendSettings {
  store: StoreOptions;
  idleTtlMs: number;
  blobTtlMs: number;
  maxBlobBytes: number;
  /**
   * memory store only: bytes all its blobs may hold (kept as the bytes themselves); the least recently used
   * go first (default: no limit). SQLite and Redis keep blobs outside the process.
   */
  memoryBlobBytes?: number | undefined;
  /** errors the store reports in the background (lost connections…), for the log */
  onError?: (error: unknown) => void;
}

/** notes the memory store keeps (the least recently used go first) */
const MEMORY_NOTES = 50_000;

/** Redis reconnects with a capped back-off, for ever: the bot recovers when Redis returns. */
function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 10), 2_000);
}

function newKeyv(store: unknown, onError: (error: unknown) => void): Keyv {
  const keyv = new Keyv({ store, serialize: serializeJson, deserialize: deserializeJson, throwOnErrors: true });
  keyv.on('error', onError);
  // Keys are prefixed by the stores themselves (`<namespace>:conv:<key>`); no extra `keyv::` prefix.
  keyv.namespace = undefined;
  return keyv;
}

/**
 * Open the configured store. Memory: a Map in this process (with a sweep of expired entries).
 * SQLite: a file (WAL mode), shared safely by processes on one host. Redis: a URL; if Redis is down at
 * start-up the backend still opens, every call fails with store-unavailable until Redis answers, and
 * the client reconnects in the background.
 */
export async function openStoreBackend(settings: StoreBackendSettings): Promise<StoreBackend> {
  const onError = settings.onError ?? (() => undefined);
  const options = settings.store;
  const common = { namespace: options.namespace, timeoutMs: options.timeoutMs };
  const stores = (keyv: Keyv) => ({
    store: new KeyvConversationStore(keyv, { ...common, ttlMs: settings.idleTtlMs }),
    blobs: new KeyvBlobStore(keyv, { ...common, ttlMs: settings.blobTtlMs, maxBytes: settings.maxBlobBytes }),
    notes: new KeyvNotes(keyv, common),
  });

  switch (options.kind) {
    case 'memory': {
      const map = new Map<string, string>();
      const keyv = newKeyv(map, onError);
      // Blobs (uploads kept for follow-ups) as the bytes themselves, with a byte budget: a long-running
      // web chat's memory stays flat instead of growing with every photo for blobTtlMs.
      const blobs = new MemoryBlobStore({
        ttlMs: settings.blobTtlMs,
        maxBytes: settings.maxBlobBytes,
        maxTotalBytes: settings.memoryBlobBytes ?? Number.POSITIVE_INFINITY,
      });
      const sweepEveryMs = Math.min(settings.idleTtlMs, settings.blobTtlMs, 10 * 60_000);
      const sweep = setInterval(() => sweepExpired(map, Date.now()), sweepEveryMs);
      sweep.unref();
      return {
        kind: 'memory',
        ...stores(keyv),
        blobs,
        leases: new MemoryLeases(),
        counters: new MemoryUsageCounters(),
        notes: new MemoryNotes({ maxEntries: MEMORY_NOTES }),
        close: async () => clearInterval(sweep),
      };
    }
    case 'sqlite': {
      if (options.path !== ':memory:') await mkdir(dirname(options.path), { recursive: true });
      const sqlite = new KeyvSqlite({
        uri: `sqlite://${options.path}`,
        table: 'lego_kv',
        busyTimeout: options.busyTimeoutMs,
      });
      const query = sqlite.query as SqliteQuery;
      // WAL lets readers in while one process writes; synchronous=NORMAL is safe with WAL (a crash of
      // the process loses nothing; a power cut may lose the last commits, never corrupts the file).
      await query('PRAGMA journal_mode = WAL').catch(onError);
      await query('PRAGMA synchronous = NORMAL').catch(onError);
      const keyv = newKeyv(sqlite, onError);
      let closed: Promise<void> | undefined;
      return {
        kind: 'sqlite',
        ...stores(keyv),
        leases: new SqliteLeases(query, { table: 'lego_leases', timeoutMs: options.timeoutMs }),
        counters: new SqliteUsageCounters(query, { table: 'lego_usage', timeoutMs: options.timeoutMs }),
        close: async () => {
          closed ??= sqlite.disconnect();
          await closed;
        },
      };
    }
    case 'redis': {
      const client = createClient({
        url: options.url,
        // Fail at once while disconnected instead of queueing commands until Redis returns.
        disableOfflineQueue: true,
        socket: { connectTimeout: options.connectTimeoutMs, reconnectStrategy: reconnectDelay },
      });
      client.on('error', onError);
      const connected = client.connect().then(
        () => true,
        (error: unknown) => {
          onError(error);
          return false;
        },
      );
      await Promise.race([connected, delay(options.connectTimeoutMs)]);
      // createClient's RESP-2 typing is narrower than the adapter's parameter type; the object is the same.
      const adapterClient = client as unknown as ConstructorParameters<typeof KeyvRedis>[0];
      const adapter = new KeyvRedis(adapterClient, { throwOnErrors: true, throwOnConnectError: true });
      adapter.on('error', onError);
      const keyv = newKeyv(adapter, onError);
      let closed: Promise<void> | undefined;
      return {
        kind: 'redis',
        ...stores(keyv),
        leases: new RedisLeases(async (args) => client.sendCommand(args), common),
        counters: new RedisUsageCounters(async (args) => client.sendCommand(args), common),
        close: async () => {
          closed ??= closeRedis(client, options.timeoutMs);
          await closed;
        },
      };
    }
  }
}

async function delay(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms).unref());
}

interface ClosableRedis {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  close(): Promise<void>;
  destroy(): void;
}

async function closeRedis(client: ClosableRedis, timeoutMs: number): Promise<void> {
  if (!client.isOpen) return;
  if (!client.isReady) {
    client.destroy();
    return;
  }
  const closed = client.close().then(() => true, () => false);
  const done = await Promise.race([closed, delay(timeoutMs).then(() => false)]);
  if (!done && client.isOpen) client.destroy();
}

/** Drop expired entries of the memory store (keyv only drops them when they are read). */
function sweepExpired(map: Map<string, string>, now: number): void {
  for (const [key, text] of map) {
    const match = /"expires":(\d+)\}$/.exec(text);
    if (match !== null && Number(match[1]) < now) map.delete(key);
  }
}
