import { rmSync } from 'node:fs';
import { ConversationManager } from '../../src/conversation/conversation-manager';
import type { ConversationEvent } from '../../src/conversation/conversation-manager';
import { openStoreBackend } from '../../src/conversation/store-backend';
import type { StoreBackend } from '../../src/conversation/store-backend';
import { TestRedis } from './redis-server';
import { testOptions } from './session-settings';

/**
 * A Redis of this test only (own port, own append-only file), stopped, frozen and started again:
 * the store fails fast with store-unavailable, and the bot recovers without losing turns.
 */

const TIMEOUT_MS = 500;
let redis: TestRedis;
let backend: StoreBackend;

async function open(): Promise<StoreBackend> {
  return openStoreBackend({
    store: { kind: 'redis', url: redis.url, namespace: 'outage', timeoutMs: TIMEOUT_MS, connectTimeoutMs: TIMEOUT_MS },
    idleTtlMs: 60_000,
    blobTtlMs: 60_000,
    maxBlobBytes: 1_000,
    onError: () => undefined,
  });
}

function manager(events: ConversationEvent[] = []): ConversationManager {
  return new ConversationManager({
    store: backend.store,
    leases: backend.leases,
    settings: testOptions({ leaseMs: 1_000, leaseRetryMs: 10, leaseWaitMs: 5_000 }),
    onEvent: (e) => events.push(e),
  });
}

async function ask(m: ConversationManager, key: string, text: string): Promise<string[]> {
  return m.withConversation(key, (s) => {
    s.addUserTurn({ text });
    s.addAnswer({ text: `answer to ${text}` });
    return s.record.turns.map((t) => t.text);
  });
}

/** Retry until the store answers again (the client reconnects with a back-off). */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

beforeAll(async () => {
  redis = await TestRedis.start();
  backend = await open();
});

afterAll(async () => {
  await backend?.close();
  await redis?.stop();
  if (redis !== undefined) rmSync(redis.dir, { recursive: true, force: true });
});

test('Redis stopped: store-unavailable within the bound; back again: the turns are all there', async () => {
  const m = manager();
  await ask(m, 'c1', 'q1');
  await redis.stop();

  const started = Date.now();
  const error = await ask(m, 'c1', 'q2').catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'store-unavailable', retryable: true });
  expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 500);

  await redis.startAgain();
  const texts = await eventually(() => ask(m, 'c1', 'q2'));
  expect(texts).toEqual(['q1', 'answer to q1', 'q2', 'answer to q2']);
});

test('Redis stops during a turn: the record is held and written back when Redis returns', async () => {
  const events: ConversationEvent[] = [];
  const m = manager(events);
  await ask(m, 'c2', 'q1');

  const failed = await m
    .withConversation('c2', async (s) => {
      s.addUserTurn({ text: 'q2' });
      await redis.stop(); // goes down while the model is answering
      s.addAnswer({ text: 'answer to q2' });
    })
    .catch((e: unknown) => e);
  expect(failed).toMatchObject({ code: 'store-unavailable' });
  expect(m.heldKeys()).toEqual(['c2']);
  expect(events.map((e) => e.type)).toContain('record-held');

  await redis.startAgain();
  const texts = await eventually(() => ask(m, 'c2', 'q3'));
  expect(texts).toEqual(['q1', 'answer to q1', 'q2', 'answer to q2', 'q3', 'answer to q3']);
  expect(m.heldKeys()).toEqual([]);
  expect(events.map((e) => e.type)).toContain('held-restored');
  expect((await backend.store.get('c2'))?.turns).toHaveLength(6);
});

test('flushHeld writes held records back without waiting for the next message', async () => {
  const m = manager();
  await ask(m, 'c3', 'q1');
  const failed = await m
    .withConversation('c3', async (s) => {
      await redis.stop();
      s.addUserTurn({ text: 'q2' });
    })
    .catch((e: unknown) => e);
  expect(failed).toMatchObject({ code: 'store-unavailable' });
  expect(await m.flushHeld()).toBe(0); // still down
  await redis.startAgain();
  await eventually(async () => {
    if ((await m.flushHeld()) !== 1) throw new Error('not yet');
  });
  expect((await backend.store.get('c3'))?.turns.map((t) => t.text)).toEqual(['q1', 'answer to q1', 'q2']);
});

test('Redis frozen (no answers at all): store-unavailable within the bound, then recovery', async () => {
  const m = manager();
  await ask(m, 'c4', 'q1');
  redis.freeze();
  try {
    const started = Date.now();
    const error = await ask(m, 'c4', 'q2').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store-unavailable', retryable: true });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 2 + 500);
  } finally {
    redis.thaw();
  }
  // the lease request that timed out ran when Redis woke up; it was given back at once
  const token = await eventually(async () => {
    const t = await backend.leases.acquire('c4', 1_000);
    if (t === undefined) throw new Error('lease still held');
    return t;
  }, 500);
  await backend.leases.release('c4', token);
  const texts = await eventually(() => ask(m, 'c4', 'q2'));
  expect(texts.slice(0, 2)).toEqual(['q1', 'answer to q1']);
  expect(texts.filter((t) => t === 'q2')).toHaveLength(1);
});

test('opened while Redis is down: fails fast, then works once Redis starts', async () => {
  await redis.stop();
  const started = Date.now();
  const late = await open();
  try {
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 500);
    await expect(late.store.get('c5')).rejects.toMatchObject({ code: 'store-unavailable' });
    await redis.startAgain();
    await eventually(() => late.store.get('c5'));
    const m = new ConversationManager({ store: late.store, leases: late.leases, settings: testOptions() });
    expect(await eventually(() => ask(m, 'c5', 'hello'))).toEqual(['hello', 'answer to hello']);
  } finally {
    await late.close();
  }
});
