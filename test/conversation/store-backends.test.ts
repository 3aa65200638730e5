import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyv } from 'keyv';
import { createClient } from '@keyv/redis';
import sqlite3 from 'sqlite3';
import { ConversationManager } from '../../src/conversation/conversation-manager';
import type { ConversationEvent } from '../../src/conversation/conversation-manager';
import { KeyvConversationStore } from '../../src/conversation/keyv-conversation-store';
import { deserializeJson, serializeJson } from '../../src/conversation/keyv-json';
import { createConversationRecord } from '../../src/conversation/record';
import type { ConversationRecord } from '../../src/conversation/record';
import { openStoreBackend } from '../../src/conversation/store-backend';
import type { StoreBackend } from '../../src/conversation/store-backend';
import type { StoreOptions } from '../../src/conversation/options';
import { LegoError } from '../../src/errors';
import { redisAnswers, sharedRedisUrl } from './redis-server';
import { HASH_A, testOptions } from './session-settings';

/**
 * One suite, three stores: the same behaviour from memory, SQLite and Redis. Redis is the shared test
 * server (scripts/test.sh starts it); each run writes under its own namespace.
 */

interface Fixture {
  kind: StoreOptions['kind'];
  /** a store configuration; the same one each call (so a second backend shares the data) */
  store: StoreOptions;
  durable: boolean;
  /** write raw text where the store keeps `storeKey` (to corrupt a record) */
  writeRaw(backend: StoreBackend, storeKey: string, text: string): Promise<void>;
  /** a conversation store that writeRaw can reach (memory: one over a Map the test holds) */
  corruptible(): Promise<{ store: KeyvConversationStore; writeRaw: (storeKey: string, text: string) => Promise<void>; close: () => Promise<void> }>;
}

const namespace = `t${randomUUID().slice(0, 8)}`;
const dir = mkdtempSync(join(tmpdir(), 'lego-conv-'));
const sqlitePath = join(dir, 'conversations.db');
const redisUrl = sharedRedisUrl();

async function sqliteExec(path: string, sql: string, ...params: unknown[]): Promise<void> {
  const db = new sqlite3.Database(path);
  await new Promise<void>((resolve, reject) => db.run(sql, params, (error) => (error ? reject(error) : resolve())));
  await new Promise<void>((resolve) => db.close(() => resolve()));
}

async function redisSet(key: string, text: string): Promise<void> {
  const client = createClient({ url: redisUrl });
  await client.connect();
  await client.set(key, text);
  await client.close();
}

const fixtures: Fixture[] = [
  {
    kind: 'memory',
    store: { kind: 'memory', namespace, timeoutMs: 1_000 },
    durable: false,
    writeRaw: async () => {
      throw new Error('memory backend keeps its Map private');
    },
    corruptible: async () => {
      const map = new Map<string, string>();
      const keyv = new Keyv({ store: map, serialize: serializeJson, deserialize: deserializeJson, throwOnErrors: true });
      keyv.namespace = undefined;
      const store = new KeyvConversationStore(keyv, { namespace, ttlMs: 60_000, timeoutMs: 1_000 });
      return { store, writeRaw: async (k, text) => void map.set(k, text), close: async () => undefined };
    },
  },
  {
    kind: 'sqlite',
    store: { kind: 'sqlite', path: sqlitePath, namespace, timeoutMs: 2_000, busyTimeoutMs: 5_000 },
    durable: true,
    writeRaw: async (_backend, storeKey, text) =>
      sqliteExec(sqlitePath, 'INSERT INTO lego_kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', storeKey, text),
    corruptible: async () => {
      const backend = await openStoreBackend({ ...settings(fixtures[1] as Fixture) });
      return {
        store: backend.store as KeyvConversationStore,
        writeRaw: async (k, text) => (fixtures[1] as Fixture).writeRaw(backend, k, text),
        close: () => backend.close(),
      };
    },
  },
  {
    kind: 'redis',
    store: { kind: 'redis', url: redisUrl, namespace, timeoutMs: 2_000, connectTimeoutMs: 2_000 },
    durable: true,
    writeRaw: async (_backend, storeKey, text) => redisSet(storeKey, text),
    corruptible: async () => {
      const backend = await openStoreBackend({ ...settings(fixtures[2] as Fixture) });
      return { store: backend.store as KeyvConversationStore, writeRaw: redisSet, close: () => backend.close() };
    },
  },
];

function settings(fixture: Fixture, idleTtlMs = 60_000) {
  return { store: fixture.store, idleTtlMs, blobTtlMs: 60_000, maxBlobBytes: 1_000, onError: () => undefined };
}

function manager(backend: StoreBackend, overrides: Parameters<typeof testOptions>[0] = {}, onEvent?: (e: ConversationEvent) => void): ConversationManager {
  return new ConversationManager({
    store: backend.store,
    leases: backend.leases,
    settings: testOptions({ leaseMs: 2_000, leaseRetryMs: 5, ...overrides }),
    onEvent,
  });
}

function sample(key: string): ConversationRecord {
  const record = createConversationRecord(key, Date.now());
  record.turns.push({ id: 1, role: 'user', text: 'where is the star?', prompt: null, mediaId: null, crop: null, clip: null, regions: [], at: 1 });
  record.nextTurnId = 2;
  return record;
}

beforeAll(async () => {
  const port = Number(new URL(redisUrl).port);
  if (!(await redisAnswers(port))) {
    throw new Error(`no Redis on ${redisUrl}: run the tests with scripts/test.sh, or start redis-server --port ${port} --save ''`);
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.each(fixtures)('$kind store', (fixture) => {
  let backend: StoreBackend;
  const key = (name: string): string => `${fixture.kind}:${name}:${randomUUID()}`;

  beforeEach(async () => {
    backend = await openStoreBackend(settings(fixture));
  });

  afterEach(async () => {
    await backend.close();
  });

  test('get / set / delete', async () => {
    const k = key('crud');
    expect(await backend.store.get(k)).toBeUndefined();
    const record = sample(k);
    await backend.store.set(k, record);
    expect(await backend.store.get(k)).toEqual(record);
    expect(await backend.store.delete(k)).toBe(true);
    expect(await backend.store.get(k)).toBeUndefined();
    expect(await backend.store.delete(k)).toBe(false);
  });

  test('a conversation expires after the idle TTL', async () => {
    const short = await openStoreBackend(settings(fixture, 300));
    try {
      const k = key('ttl');
      await short.store.set(k, sample(k));
      expect(await short.store.get(k)).toBeDefined();
      await new Promise((r) => setTimeout(r, 600));
      expect(await short.store.get(k)).toBeUndefined();
    } finally {
      await short.close();
    }
  });

  test('notes: written by one backend, read by another on the same store (memory: this process only), gone after their TTL', async () => {
    const k = key('note');
    await backend.notes.set(k, { key: 'conv', at: 5 }, 400);
    expect(await backend.notes.get(k)).toEqual({ key: 'conv', at: 5 });
    const other = await openStoreBackend(settings(fixture));
    try {
      expect(await other.notes.get(k)).toEqual(fixture.durable ? { key: 'conv', at: 5 } : undefined);
    } finally {
      await other.close();
    }
    await new Promise((r) => setTimeout(r, 700));
    expect(await backend.notes.get(k)).toBeUndefined();
  });

  if (fixture.durable) {
    test('a conversation survives a restart (close, reopen a new store instance, read)', async () => {
      const k = key('restart');
      const first = manager(backend);
      await first.withConversation(k, (s) => {
        s.addMedia({ kind: 'image', hash: HASH_A, mime: 'image/png', size: { width: 100, height: 100 }, durationSec: null, source: { type: 'url', url: 'https://x/y.png' } });
        s.addUserTurn({ text: 'where is the star?' });
        s.addAnswer({ text: 'here [0.100, 0.200, 0.300, 0.400]', boxes: [{ index: 1, box: { x1: 0.1, y1: 0.2, x2: 0.3, y2: 0.4 }, raw: '[0.100, 0.200, 0.300, 0.400]' }] });
      });
      await backend.close();
      backend = await openStoreBackend(settings(fixture));
      const again = manager(backend);
      const question = await again.withConversation(k, (s) => s.resolve('what is in box 1?'));
      expect(question).toMatchObject({ status: 'resolved', question: 'What is in [0.100, 0.200, 0.300, 0.400]?' });
      const record = await backend.store.get(k);
      expect(record?.turns.map((t) => t.text)).toEqual(['where is the star?', 'here [0.100, 0.200, 0.300, 0.400]']);
      expect(record?.revision).toBe(1);
    });
  }

  test.each([
    ['not JSON', '{{{ not json'],
    ['not a keyv envelope', '"just a string"'],
    ['a record that does not validate', JSON.stringify({ value: { schemaVersion: 1, key: 'x', turns: 'nope' } })],
    ['a future schema version', JSON.stringify({ value: { ...sample('x'), schemaVersion: 99 } })],
  ])('a corrupted record (%s) is reported and the conversation starts fresh', async (_name, raw) => {
    const { store, writeRaw, close } = await fixture.corruptible();
    try {
      const k = key('corrupt');
      const storeKey = `${namespace}:conv:${k}`;
      await writeRaw(storeKey, raw);
      await expect(store.get(k)).rejects.toMatchObject({ code: 'store-corrupt', retryable: false });
      const events: ConversationEvent[] = [];
      const leases = backend.leases;
      const m = new ConversationManager({ store, leases, settings: testOptions({ leaseRetryMs: 5 }), onEvent: (e) => events.push(e) });
      const notices = await m.withConversation(k, (s) => {
        expect(s.record.turns).toEqual([]);
        s.addUserTurn({ text: 'hello again' });
        return s.notices;
      });
      expect(notices.map((n) => n.code)).toEqual(['store-corrupt']);
      expect(notices[0]?.userMessage).toBe('I could not read our earlier conversation, so I am starting fresh.');
      expect(events.map((e) => e.type)).toContain('record-corrupt');
      expect((await store.get(k))?.turns.map((t) => t.text)).toEqual(['hello again']);
    } finally {
      await close();
    }
  });

  test('leases: one owner at a time, renew and release only by the owner, expiry', async () => {
    const k = key('lease');
    const token = await backend.leases.acquire(k, 2_000);
    expect(token).toEqual(expect.any(String));
    expect(await backend.leases.acquire(k, 2_000)).toBeUndefined();
    expect(await backend.leases.renew(k, 'not-mine', 2_000)).toBe(false);
    expect(await backend.leases.release(k, 'not-mine')).toBe(false);
    expect(await backend.leases.renew(k, token as string, 2_000)).toBe(true);
    expect(await backend.leases.release(k, token as string)).toBe(true);
    const short = await backend.leases.acquire(k, 150);
    expect(short).toBeDefined();
    await new Promise((r) => setTimeout(r, 300));
    const next = await backend.leases.acquire(k, 2_000);
    expect(next).toBeDefined();
    expect(await backend.leases.renew(k, short as string, 2_000)).toBe(false);
    expect(await backend.leases.release(k, short as string)).toBe(false);
    expect(await backend.leases.release(k, next as string)).toBe(true);
  });

  test('blob store: bytes by content hash, with a size limit', async () => {
    const bytes = Buffer.from(`pixels ${fixture.kind} ${randomUUID()}`);
    const ref = await backend.blobs.put(bytes, 'image/png');
    expect(ref).toMatchObject({ mime: 'image/png', byteLength: bytes.length });
    expect(ref.key).toMatch(/^[0-9a-f]{64}$/);
    const back = await backend.blobs.get(ref.key);
    expect(back?.bytes.equals(bytes)).toBe(true);
    expect(await backend.blobs.delete(ref.key)).toBe(true);
    expect(await backend.blobs.get(ref.key)).toBeUndefined();
    await expect(backend.blobs.put(Buffer.alloc(2_000), 'image/png')).rejects.toMatchObject({ code: 'too-large' });
  });

  test('two managers (two store instances on one store) append concurrently: no lost or duplicated turns', async () => {
    const k = key('race');
    const other = fixture.kind === 'memory' ? backend : await openStoreBackend(settings(fixture));
    try {
      const managers = [manager(backend, { leaseWaitMs: 30_000 }), manager(other, { leaseWaitMs: 30_000 })];
      const perManager = 12;
      await Promise.all(
        managers.map(async (m, who) => {
          for (let i = 0; i < perManager; i += 1) {
            await m.withConversation(k, async (s) => {
              s.addUserTurn({ text: `m${who}-q${i}` });
              await new Promise((r) => setTimeout(r, Math.random() * 4)); // widen the race window
              s.addAnswer({ text: `m${who}-a${i}` });
            });
          }
        }),
      );
      const record = await backend.store.get(k);
      const texts = record?.turns.map((t) => t.text) ?? [];
      expect(texts).toHaveLength(2 * 2 * perManager);
      expect(new Set(texts).size).toBe(texts.length);
      expect(new Set(record?.turns.map((t) => t.id)).size).toBe(texts.length);
      for (let i = 0; i < texts.length; i += 2) expect(texts[i + 1]).toBe((texts[i] as string).replace('-q', '-a'));
      expect(record?.revision).toBe(2 * perManager);
    } finally {
      if (other !== backend) await other.close();
    }
  });

  test('a holder that dies (never releases) blocks the conversation only until its lease expires', async () => {
    const k = key('dead-holder');
    const dead = fixture.kind === 'memory' ? backend : await openStoreBackend(settings(fixture));
    expect(await dead.leases.acquire(k, 400)).toBeDefined();
    if (dead !== backend) await dead.close(); // the process is gone, its lease is not released
    const started = Date.now();
    await manager(backend, { leaseWaitMs: 5_000 }).withConversation(k, (s) => s.addUserTurn({ text: 'still here' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await backend.store.get(k))?.turns).toHaveLength(1);
  });

  test('waiting for a held lease ends with busy after leaseWaitMs', async () => {
    const k = key('busy');
    const token = await backend.leases.acquire(k, 5_000);
    await expect(manager(backend, { leaseWaitMs: 200 }).withConversation(k, () => undefined)).rejects.toMatchObject({ code: 'busy', retryable: true });
    await backend.leases.release(k, token as string);
  });

  test('a handler that throws saves nothing and frees the lease', async () => {
    const k = key('throws');
    const m = manager(backend);
    await expect(m.withConversation(k, (s) => {
      s.addUserTurn({ text: 'lost' });
      throw new LegoError('engine-failed', 'boom');
    })).rejects.toMatchObject({ code: 'engine-failed' });
    expect(await backend.store.get(k)).toBeUndefined();
    const token = await backend.leases.acquire(k, 1_000);
    expect(token).toBeDefined();
    await backend.leases.release(k, token as string);
  });
});
