import { ConversationManager } from '../../src/conversation/conversation-manager';
import type { ConversationEvent } from '../../src/conversation/conversation-manager';
import type { ConversationLeases } from '../../src/conversation/conversation-leases';
import type { ConversationStore } from '../../src/conversation/conversation-store';
import { MemoryLeases } from '../../src/conversation/memory-leases';
import type { ConversationRecord } from '../../src/conversation/record';
import { LegoError } from '../../src/errors';
import { testOptions } from './session-settings';

/** A ConversationStore double: a Map, and a switch that makes every call fail as if the store were down. */
class SwitchableStore implements ConversationStore {
  readonly records = new Map<string, ConversationRecord>();
  down = false;

  #check(): void {
    if (this.down) throw new LegoError('store-unavailable', 'store switched off');
  }

  async get(key: string): Promise<ConversationRecord | undefined> {
    this.#check();
    const record = this.records.get(key);
    return record === undefined ? undefined : structuredClone(record);
  }

  async set(key: string, record: ConversationRecord): Promise<void> {
    this.#check();
    this.records.set(key, structuredClone(record));
  }

  async delete(key: string): Promise<boolean> {
    this.#check();
    return this.records.delete(key);
  }
}

function setup(overrides: Parameters<typeof testOptions>[0] = {}, leases: ConversationLeases = new MemoryLeases()) {
  const store = new SwitchableStore();
  const events: ConversationEvent[] = [];
  const manager = new ConversationManager({
    store,
    leases,
    settings: testOptions({ leaseRetryMs: 5, ...overrides }),
    onEvent: (e) => events.push(e),
  });
  return { store, events, manager };
}

async function say(manager: ConversationManager, key: string, text: string): Promise<void> {
  await manager.withConversation(key, (s) => {
    s.addUserTurn({ text });
  });
}

describe('ConversationManager', () => {
  test('saves only when something changed', async () => {
    const { store, manager } = setup();
    await manager.withConversation('k', (s) => s.record.turns.length);
    expect(store.records.has('k')).toBe(false);
    await say(manager, 'k', 'hi');
    expect(store.records.get('k')?.revision).toBe(1);
  });

  test('a held record is discarded when another process wrote the conversation meanwhile', async () => {
    const { store, events, manager } = setup();
    const other = new ConversationManager({ store, leases: new MemoryLeases(), settings: testOptions() });
    await say(manager, 'k', 'one');
    const failed = manager.withConversation('k', (s) => {
      s.addUserTurn({ text: 'held while the store was down' });
      store.down = true;
    });
    await expect(failed).rejects.toMatchObject({ code: 'store-unavailable' });
    expect(manager.heldKeys()).toEqual(['k']);
    store.down = false;
    await say(other, 'k', 'written by the other process');
    await say(manager, 'k', 'three');
    expect(store.records.get('k')?.turns.map((t) => t.text)).toEqual(['one', 'written by the other process', 'three']);
    expect(events).toContainEqual({ type: 'held-discarded', key: 'k', reason: 'stale' });
  });

  test('held records are bounded', async () => {
    const { store, events, manager } = setup({ maxHeldRecords: 2 });
    store.down = false;
    for (const key of ['a', 'b', 'c']) {
      await manager.withConversation(key, async (s) => {
        s.addUserTurn({ text: key });
        store.down = true;
      }).catch(() => undefined);
      store.down = false;
    }
    expect(manager.heldKeys()).toEqual(['b', 'c']);
    expect(events).toContainEqual({ type: 'held-discarded', key: 'a', reason: 'overflow' });
  });

  test('a lost lease aborts the session signal and saves nothing', async () => {
    const inner = new MemoryLeases();
    let stolen = false;
    const leases: ConversationLeases = {
      acquire: (key, ttl) => inner.acquire(key, ttl),
      renew: async (key, token, ttl) => (stolen ? false : inner.renew(key, token, ttl)),
      release: (key, token) => inner.release(key, token),
    };
    const { store, events, manager } = setup({ leaseMs: 120 }, leases);
    const outcome = manager.withConversation('k', async (s) => {
      s.addUserTurn({ text: 'slow answer' });
      stolen = true;
      await new Promise<void>((resolve) => s.signal.addEventListener('abort', () => resolve()));
      return s.signal.reason;
    });
    await expect(outcome).rejects.toMatchObject({ code: 'busy' });
    expect(store.records.has('k')).toBe(false);
    expect(events).toContainEqual({ type: 'lease-lost', key: 'k' });
  });

  test("the caller's abort signal aborts the wait for a lease", async () => {
    const leases = new MemoryLeases();
    const { manager } = setup({ leaseWaitMs: 10_000 }, leases);
    await leases.acquire('k', 10_000);
    const controller = new AbortController();
    const waiting = manager.withConversation('k', () => undefined, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(waiting).rejects.toMatchObject({ code: 'aborted' });
  });

  test('a record idle longer than the TTL starts fresh even if the store still returns it', async () => {
    let now = 1_000;
    const store = new SwitchableStore();
    const manager = new ConversationManager({ store, leases: new MemoryLeases(() => now), settings: testOptions({ idleTtlMs: 500 }), now: () => now });
    await say(manager, 'k', 'old');
    now += 1_000;
    expect(await manager.withConversation('k', (s) => s.record.turns.length)).toBe(0);
    expect(await manager.read('k')).toBeUndefined();
  });

  test('retention drops are reported', async () => {
    const { events, manager } = setup({ maxTurns: 2 });
    for (let i = 0; i < 3; i += 1) {
      await manager.withConversation('k', (s) => {
        s.addUserTurn({ text: `q${i}` });
        s.addAnswer({ text: `a${i}` });
      });
    }
    expect(events.filter((e) => e.type === 'turns-dropped')).toHaveLength(2);
  });

  test('delete forgets the conversation', async () => {
    const { store, manager } = setup();
    await say(manager, 'k', 'hi');
    expect(await manager.delete('k')).toBe(true);
    expect(store.records.has('k')).toBe(false);
  });
});
