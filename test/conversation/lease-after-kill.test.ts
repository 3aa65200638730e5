/**
 * Issue 19, fault 4: after kill -9 the dead process's conversation lease (30 s, no owner recorded)
 * stalled the next turn of that conversation for ~27 s. Leases now carry their owner (host:pid),
 * are renewed while the turn runs (every third of a 10 s TTL), and a starting process drops the
 * leases of this host's dead processes. A real child process holds the lease and is killed with
 * SIGKILL (nothing of a memory store would survive, so sqlite and redis).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createConversationRuntime } from '../../src/conversation';
import { ownerIsDeadHere, newLeaseToken, ownerOfToken } from '../../src/conversation/lease-owner';
import { LegoError } from '../../src/errors';
import { TestRedis } from './redis-server';

const root = resolve(__dirname, '../..');

/** Starts the lease holder, waits until it holds KEY's lease, kills it with SIGKILL. */
async function holdThenKill(kind: string, where: string, key: string, whileHeld: () => Promise<void>): Promise<void> {
  // node itself with tsx's loader (the tsx command is a wrapper: SIGKILL would not reach its child)
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/lease-holder.ts', kind, where, key], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ok, fail) => {
    child.stdout!.on('data', (data: Buffer) => {
      if (data.toString().includes('held')) ok();
    });
    child.once('exit', (code) => fail(new Error(`lease holder exited with ${String(code)}`)));
  });
  await whileHeld();
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.kill('SIGKILL');
  await exited;
}

async function nextTurnWait(store: Record<string, unknown>, key: string): Promise<number> {
  const runtime = await createConversationRuntime({ store, leaseWaitMs: 60_000 });
  try {
    const started = Date.now();
    const outcome = await runtime.turn(key, () => 'answered');
    expect(outcome).toMatchObject({ status: 'done', value: 'answered' });
    return Date.now() - started;
  } finally {
    await runtime.close();
  }
}

async function heldElsewhere(store: Record<string, unknown>, key: string): Promise<void> {
  const runtime = await createConversationRuntime({ store, leaseWaitMs: 200 });
  try {
    const error = await runtime.turn(key, () => 'x').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(LegoError.is(error, 'busy')).toBe(true);
  } finally {
    await runtime.close();
  }
}

describe('a conversation lease after kill -9 of its holder', () => {
  it('sqlite: the next process takes the conversation at once', async () => {
    const store = { kind: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'lego-lease-')), 'lego.sqlite') };
    await holdThenKill('sqlite', store.path, 'discord:1:2', () => heldElsewhere(store, 'discord:1:2'));
    const waited = await nextTurnWait(store, 'discord:1:2');
    expect(waited).toBeLessThan(1_000);
  }, 60_000);

  it('redis: the next process takes the conversation at once', async () => {
    const redis = await TestRedis.start();
    try {
      const store = { kind: 'redis', url: redis.url };
      await holdThenKill('redis', redis.url, 'slack:T1:C1', () => heldElsewhere(store, 'slack:T1:C1'));
      const waited = await nextTurnWait(store, 'slack:T1:C1');
      expect(waited).toBeLessThan(1_000);
    } finally {
      await redis.stop();
    }
  }, 60_000);

  it('knows whose lease is dead: this host, a gone pid; never another host or a live process', () => {
    const here = { host: 'box-a', pid: 100 };
    const alive = (pid: number): boolean => pid === 100 || pid === 200;
    expect(ownerIsDeadHere(newLeaseToken({ host: 'box-a', pid: 300 }), here, alive)).toBe(true);
    expect(ownerIsDeadHere(newLeaseToken({ host: 'box-a', pid: 200 }), here, alive)).toBe(false);
    expect(ownerIsDeadHere(newLeaseToken({ host: 'box-b', pid: 300 }), here, alive)).toBe(false);
    expect(ownerIsDeadHere('6f1c7d1e-2a7b-4a8e-9a57-0d6a3c5b0f11', here, alive)).toBe(false);
    expect(ownerOfToken(newLeaseToken({ host: 'ip-10-0-0-1.ec2.internal', pid: 42 }))).toEqual({ host: 'ip-10-0-0-1.ec2.internal', pid: 42 });
  });
});
