/**
 * Issue 19, faults 3 and 9: a failed Discord login ended the whole process, web chat included; and
 * /api/health said ok while the conversation store was down. Now a platform that cannot start is
 * retried with back-off (bounded) and reported in /api/health while the web chat serves; health is
 * 503 while the store does not answer.
 */
import { Writable } from 'node:stream';
import { startMain } from '../../src/main';
import type { MainJob } from '../../src/main';
import type { HealthReport } from '../../src/health';
import { FakeDiscord } from '../helpers/discord-fake/fake-discord';
import { FakeEngine } from '../helpers/fake-engine';
import { httpRequest } from '../helpers/http-client';
import { TestRedis } from '../conversation/redis-server';

const lines: string[] = [];
const logs = { write: (line: string) => void lines.push(line) } as unknown as Writable;

async function health(job: MainJob): Promise<{ status: number; body: HealthReport & { ok: boolean } }> {
  const res = await httpRequest(job.web!.address, '/api/health');
  return { status: res.status, body: res.json() };
}

async function ask(job: MainJob, text = 'help'): Promise<string> {
  const res = await httpRequest(job.web!.address, '/api/chat', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ conversation: 'resilience-test-1', text }),
  });
  return res.text;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('main job: a platform that cannot start', () => {
  let fake: FakeDiscord;
  beforeEach(async () => {
    lines.length = 0;
    fake = await FakeDiscord.start();
  });
  afterEach(async () => {
    await fake.stop();
  });

  function discordEnv(extra: Record<string, string> = {}): Record<string, string> {
    return { LEGO_WEB_PORT: '0', DISCORD_TOKEN: fake.token, LEGO_DISCORD_API: fake.apiBase, LEGO_ADAPTERS_RETRY_BASE_MS: '100', ...extra };
  }

  test('a refused Discord login is retried with back-off while the web chat answers; health shows it, then Discord runs', async () => {
    fake.refuseLogins = 2;
    const started = Date.now();
    const job = await startMain({ env: discordEnv(), engine: new FakeEngine({}), print: () => undefined, logDestination: logs });
    try {
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(job.adapters.map((a) => a.name)).toEqual(['web']);
      // the web chat answers while Discord is being retried
      expect(await ask(job)).toContain('event: reply');
      const during = await health(job);
      expect(during.status).toBe(200);
      expect(during.body.status).toBe('degraded');
      expect(during.body.adapters.find((a) => a.name === 'discord')).toMatchObject({ state: 'retrying' });
      await until(async () => (await health(job)).body.status === 'ok', 20_000);
      const after = await health(job);
      expect(after.body.adapters).toEqual([
        { name: 'web', state: 'running', attempts: 1 },
        { name: 'discord', state: 'running', attempts: 3 },
      ]);
      expect(fake.refusedLogins).toBe(2);
      const log = lines.join('');
      expect(log).toContain('adapter could not start; trying again');
      expect(log).not.toContain(fake.token);
    } finally {
      await job.stop();
    }
  }, 60_000);

  test('after startAttempts refusals Discord is reported failed and the web chat keeps serving', async () => {
    fake.refuseLogins = 100;
    const job = await startMain({ env: discordEnv({ LEGO_ADAPTERS_START_ATTEMPTS: '3' }), engine: new FakeEngine({}), print: () => undefined, logDestination: logs });
    try {
      await until(async () => (await health(job)).body.adapters.some((a) => a.name === 'discord' && a.state === 'failed'), 20_000);
      const report = await health(job);
      expect(report.status).toBe(200);
      expect(report.body).toMatchObject({ ok: true, status: 'degraded', store: { kind: 'memory', ok: true } });
      expect(report.body.adapters.find((a) => a.name === 'discord')).toMatchObject({ state: 'failed', attempts: 3 });
      expect(fake.refusedLogins).toBe(3);
      expect(await ask(job)).toContain('event: reply');
      expect(lines.join('')).toContain('giving up');
    } finally {
      await job.stop();
    }
  }, 60_000);
});

describe('main job: /api/health reflects the conversation store', () => {
  test('503 while Redis is down, 200 again when it is back; the web chat itself keeps serving', async () => {
    const redis = await TestRedis.start();
    const job = await startMain({
      env: { LEGO_WEB_PORT: '0', LEGO_CONVERSATION_REDIS_URL: redis.url, LEGO_CONVERSATION_STORE_TIMEOUT_MS: '300' },
      engine: new FakeEngine({}),
      print: () => undefined,
      logDestination: logs,
    });
    try {
      const up = await health(job);
      expect(up.status).toBe(200);
      expect(up.body).toMatchObject({ ok: true, status: 'ok', store: { kind: 'redis', ok: true } });
      await redis.stop();
      const down = await health(job);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ ok: false, status: 'down', store: { kind: 'redis', ok: false } });
      expect(down.body.store.latencyMs).toBeLessThan(2_000);
      await redis.startAgain();
      await until(async () => (await health(job)).status === 200, 10_000);
    } finally {
      await job.stop();
      await redis.stop();
    }
  }, 60_000);
});
