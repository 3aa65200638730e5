/**
 * Conversation manager overhead per turn (lease + load + validate + save + release) with each store
 * at 1, 50 and 500 turns of history, and many conversations at once.
 *
 *   npm run bench:conversation                 # print a markdown report
 *   npm run bench:conversation -- --append     # also append it to docs/benchmarks.md
 *   npm run bench:conversation -- --references # only: reference resolution after a major GC vs warm
 *
 * Redis: LEGO_BENCH_REDIS_URL, or a redis-server this script starts on a free port (needs the binary).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConversationManager } from '../src/conversation/conversation-manager';
import { ConversationSession } from '../src/conversation/conversation-session';
import { parseConversationOptions } from '../src/conversation/options';
import type { StoreOptions } from '../src/conversation/options';
import { createConversationRecord } from '../src/conversation/record';
import type { ConversationRecord } from '../src/conversation/record';
import { openStoreBackend } from '../src/conversation/store-backend';
import type { StoreBackend } from '../src/conversation/store-backend';
import { v8Collector } from '../src/idle-collect';
import { freePort, redisAnswers } from '../test/conversation/redis-server';

const HISTORIES = [1, 50, 500];
const ANSWER = 'The red star [0.112, 0.430, 0.251, 0.618] is left of the blue circle [0.500, 0.520, 0.640, 0.660].';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function ms(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

async function startRedis(): Promise<{ url: string; child: ChildProcess | undefined }> {
  const given = process.env.LEGO_BENCH_REDIS_URL;
  if (given !== undefined && given !== '') return { url: given, child: undefined };
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await redisAnswers(port, 300)); i += 1) await new Promise((r) => setTimeout(r, 50));
  return { url: `redis://127.0.0.1:${port}`, child };
}

/** A conversation with `turns` turns of history on one image, one box per answer. */
function history(key: string, turns: number, settings: ReturnType<typeof parseConversationOptions>): ConversationRecord {
  const session = new ConversationSession(createConversationRecord(key, Date.now()), settings);
  session.addMedia({ kind: 'image', hash: 'a'.repeat(64), mime: 'image/png', size: { width: 640, height: 480 }, durationSec: null, source: { type: 'url', url: 'https://cdn.example/attachments/1/2/shapes.png' }, name: 'shapes.png' });
  for (let i = 0; i < turns; i += 1) {
    if (i % 2 === 0) session.addUserTurn({ text: `Where is the red star, question ${i}?` });
    else session.addAnswer({ text: ANSWER, boxes: [{ index: 1, box: { x1: 0.112 + (i % 500) / 1000, y1: 0.43, x2: 0.251, y2: 0.618 }, raw: '[…]', label: 'red star' }] });
  }
  return session.snapshot().record;
}

async function oneTurn(manager: ConversationManager, key: string, i: number): Promise<number> {
  const started = performance.now();
  await manager.withConversation(key, (s) => {
    s.addUserTurn({ text: `what is in box ${(i % 3) + 1}?` });
    s.addAnswer({ text: ANSWER, boxes: [{ index: 1, box: { x1: 0.2, y1: 0.2, x2: 0.3, y2: 0.3 }, raw: '[…]' }] });
  });
  return performance.now() - started;
}

interface Row {
  store: string;
  history: number;
  bytes: number;
  p50: number;
  p95: number;
  getP50: number;
  setP50: number;
  perSecond: number;
}

async function perTurn(kind: string, backend: StoreBackend, turns: number): Promise<Row> {
  const settings = parseConversationOptions({ maxTurns: Math.max(2, turns), maxRegions: 1_000, leaseMs: 30_000 });
  const manager = new ConversationManager({ store: backend.store, leases: backend.leases, settings });
  const key = `bench:${kind}:${turns}`;
  const record = history(key, turns, settings);
  await backend.store.set(key, record);
  const iterations = turns >= 500 ? 60 : 200;
  for (let i = 0; i < 10; i += 1) await oneTurn(manager, key, i);
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < iterations; i += 1) times.push(await oneTurn(manager, key, i));
  const elapsed = performance.now() - started;
  const gets: number[] = [];
  const sets: number[] = [];
  for (let i = 0; i < 30; i += 1) {
    const t0 = performance.now();
    const current = (await backend.store.get(key)) as ConversationRecord;
    const t1 = performance.now();
    await backend.store.set(key, current);
    sets.push(performance.now() - t1);
    gets.push(t1 - t0);
  }
  const stored = (await backend.store.get(key)) as ConversationRecord;
  return {
    store: kind, history: turns, bytes: JSON.stringify(stored).length,
    p50: percentile(times, 50), p95: percentile(times, 95), getP50: percentile(gets, 50), setP50: percentile(sets, 50),
    perSecond: (iterations / elapsed) * 1000,
  };
}

interface ManyRow {
  store: string;
  conversations: number;
  turns: number;
  perSecond: number;
  p50: number;
  p95: number;
}

/** `conversations` conversations with 20 turns of history each, all answering at once (each one turn after another). */
async function manyAtOnce(kind: string, backend: StoreBackend, conversations: number, turnsEach: number): Promise<ManyRow> {
  const settings = parseConversationOptions({ maxTurns: 200, leaseMs: 30_000 });
  const manager = new ConversationManager({ store: backend.store, leases: backend.leases, settings });
  const keys = Array.from({ length: conversations }, (_, i) => `bench:${kind}:many:${i}`);
  for (const key of keys) await backend.store.set(key, history(key, 20, settings));
  const times: number[] = [];
  const started = performance.now();
  await Promise.all(
    keys.map(async (key) => {
      for (let i = 0; i < turnsEach; i += 1) times.push(await oneTurn(manager, key, i));
    }),
  );
  const elapsed = performance.now() - started;
  return { store: kind, conversations, turns: times.length, perSecond: (times.length / elapsed) * 1000, p50: percentile(times, 50), p95: percentile(times, 95) };
}

interface ReferenceRow {
  question: string;
  cold: number;
  warm: number;
}

const REFERENCE_QUESTIONS = ['Where is the red star?', 'what colour is box 1?', 'zoom into the left one', 'compare 1 and 3'];

/**
 * Resolving a question's references (`session.resolve`: numbers and words) right after a major GC and
 * again at once, medians of 9: V8 drops the compiled code of regexps that are not used often when it
 * collects, so a server's next question compiles the patterns again.
 */
async function referencesAfterGc(): Promise<ReferenceRow[]> {
  const collect = v8Collector() as unknown as (() => void) | null;
  if (collect === null) throw new Error('V8\'s gc could not be reached');
  const session = new ConversationSession(createConversationRecord('bench:refs', Date.now()), parseConversationOptions({}));
  session.addMedia({ kind: 'image', hash: 'a'.repeat(64), mime: 'image/jpeg', size: { width: 4000, height: 3000 }, durationSec: null, source: { type: 'blob', key: 'a'.repeat(64) }, name: 'photo.jpg' });
  session.beginTurn('What is in this picture?');
  session.addAnswer({
    text: 'a heart, a star and a star',
    boxes: [0.1, 0.4, 0.7].map((x, i) => ({ index: i + 1, box: { x1: x, y1: 0.4, x2: x + 0.2, y2: 0.6 }, raw: '', label: ['pink heart', 'white star', 'pink star'][i]! })),
  });
  const rows: ReferenceRow[] = [];
  for (const question of REFERENCE_QUESTIONS) {
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < 9; i += 1) {
      // V8 ages a regexp's code over collections: two drop it
      collect();
      collect();
      await new Promise((done) => setTimeout(done, 100));
      let t = performance.now();
      session.resolve(question);
      cold.push(performance.now() - t);
      t = performance.now();
      session.resolve(question);
      warm.push(performance.now() - t);
    }
    rows.push({ question, cold: percentile(cold, 50), warm: percentile(warm, 50) });
  }
  return rows;
}

async function main(): Promise<void> {
  if (process.argv.includes('--references')) {
    const rows = await referencesAfterGc();
    process.stdout.write([
      '',
      'Command: `npm run bench:conversation -- --references` (bench/conversation.ts): `session.resolve(question)` on an image',
      'with three boxes, right after a major GC and again at once, medians of 9.',
      '',
      '| question | after a major GC | again |',
      '|---|---:|---:|',
      ...rows.map((r) => `| ${r.question} | ${ms(r.cold)} ms | ${ms(r.warm)} ms |`),
      '',
    ].join('\n'));
    return;
  }
  const append = process.argv.includes('--append');
  const dir = mkdtempSync(join(tmpdir(), 'lego-bench-conv-'));
  const redis = await startRedis();
  const stores: Array<[string, StoreOptions]> = [
    ['memory', { kind: 'memory', namespace: 'bench', timeoutMs: 10_000 }],
    ['sqlite', { kind: 'sqlite', path: join(dir, 'bench.db'), namespace: 'bench', timeoutMs: 10_000, busyTimeoutMs: 5_000 }],
    ['redis', { kind: 'redis', url: redis.url, namespace: `bench${process.pid}`, timeoutMs: 10_000, connectTimeoutMs: 2_000 }],
  ];
  const rows: Row[] = [];
  const many: ManyRow[] = [];
  try {
    for (const [kind, store] of stores) {
      const backend = await openStoreBackend({ store, idleTtlMs: 3_600_000, blobTtlMs: 3_600_000, maxBlobBytes: 1 << 20 });
      try {
        for (const turns of HISTORIES) {
          const row = await perTurn(kind, backend, turns);
          rows.push(row);
          process.stderr.write(`${kind} ${turns}: p50 ${ms(row.p50)} ms\n`);
        }
        const row = await manyAtOnce(kind, backend, 200, 5);
        many.push(row);
        process.stderr.write(`${kind} many: ${row.perSecond.toFixed(0)} turns/s\n`);
      } finally {
        await backend.close();
      }
    }
  } finally {
    redis.child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    '',
    `## Conversation manager overhead (${new Date().toISOString().slice(0, 10)})`,
    '',
    'Command: `npm run bench:conversation` (bench/conversation.ts). One turn = take the lease, load and validate the',
    'record (zod), add a question and an answer with a box, apply retention, check the lease, save, release.',
    'History is kept at its size by `maxTurns` (the 1-turn case holds 2 turns: retention keeps whole exchanges).',
    'Record size is the stored JSON. The Python training run shared the 2 cores while this ran: p95s are noisy.',
    `Machine: ${cpus().length}× ${cpu}, Node ${process.version}; Redis and SQLite on the same host (loopback / local file).`,
    '',
    '| store | turns of history | record size | per turn p50 | per turn p95 | turns/s (one conversation) | get p50 | set p50 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.store} | ${r.history} | ${(r.bytes / 1024).toFixed(1)} KiB | ${ms(r.p50)} ms | ${ms(r.p95)} ms | ${r.perSecond.toFixed(0)} | ${ms(r.getP50)} ms | ${ms(r.setP50)} ms |`),
    '',
    'Many conversations at once (200 conversations with 20 turns of history each, 5 turns each, all concurrent).',
    'Latency here is mostly waiting: 200 turns share one Node process and one store connection.',
    '',
    '| store | conversations | turns | turns/s | per turn p50 | per turn p95 |',
    '|---|---:|---:|---:|---:|---:|',
    ...many.map((r) => `| ${r.store} | ${r.conversations} | ${r.turns} | ${r.perSecond.toFixed(0)} | ${ms(r.p50)} ms | ${ms(r.p95)} ms |`),
    '',
  ];
  const report = lines.join('\n');
  process.stdout.write(`${report}\n`);
  if (append) {
    const file = join(__dirname, '..', 'docs', 'benchmarks.md');
    if (!existsSync(file)) {
      try {
        writeFileSync(file, '# Benchmarks\n\nMeasured numbers, newest sections appended at the end. Each section names the command that produced it.\n', { flag: 'wx' });
      } catch {
        // another benchmark created it meanwhile: append below its header
      }
    }
    appendFileSync(file, report);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
