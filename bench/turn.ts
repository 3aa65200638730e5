/**
 * The conversation manager's share of a whole turn: a real conversation through the bot pipeline
 * (createBot) with the real OnnxLegoEngine — models/lego-tiny when its manifest exists, else
 * models/test-bundle — once per store (memory, SQLite, Redis). A turn is `bot.handle` from message to
 * Reply (media from the tensor cache after the first turn, generation, numbering, rendering); the
 * manager's share is the time `runtime.turn` spends outside the pipeline's handler: queue, lease,
 * load + zod validation, save (retention, fencing renew), release.
 *
 *   npm run bench:turn                 # print a markdown report
 *   npm run bench:turn -- --append     # also append it to docs/benchmarks.md
 *   npm run bench:turn -- --turns 10   # measured turns per store (default 20)
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { createBot } from '../src/bot/create-bot';
import type { IncomingAttachment, IncomingMessage } from '../src/bot/types';
import { loadConfig } from '../src/config/load-config';
import { createConversationRuntime } from '../src/conversation/conversation-runtime';
import type { ConversationRuntime } from '../src/conversation/conversation-runtime';
import type { StoreOptions } from '../src/conversation/options';
import { OnnxLegoEngine } from '../src/engine/onnx/onnx-lego-engine';
import { freePort, redisAnswers } from '../test/conversation/redis-server';

const argv = process.argv.slice(2);
const APPEND = argv.includes('--append');
const TURNS = Number(argv[argv.indexOf('--turns') + 1] ?? 20) || 20;
const MAX_NEW_TOKENS = 48;
const QUESTIONS = ['Where is the red star?', 'Where is the blue circle?', 'What colour is the star?', 'Is the circle left of the star?'];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function fmt(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

async function startRedis(): Promise<{ url: string; child: ChildProcess } | undefined> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const failed = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(true));
    setTimeout(() => resolve(false), 100);
  });
  if (failed) return undefined;
  for (let i = 0; i < 100; i += 1) {
    if (await redisAnswers(port, 300)) return { url: `redis://127.0.0.1:${port}`, child };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGTERM');
  return undefined;
}

/** The runtime with `turn` timed: total time in runtime.turn and the part spent inside the handler. */
function timedRuntime(runtime: ConversationRuntime, samples: { total: number; handler: number }[]): ConversationRuntime {
  return {
    ...runtime,
    turn: async (key, handler, options) => {
      const started = performance.now();
      let inside = 0;
      try {
        return await runtime.turn(
          key,
          async (session) => {
            const entered = performance.now();
            try {
              return await handler(session);
            } finally {
              inside += performance.now() - entered;
            }
          },
          options,
        );
      } finally {
        samples.push({ total: performance.now() - started, handler: inside });
      }
    },
  };
}

function attachment(bytes: Buffer): IncomingAttachment {
  return { id: 'shapes', name: 'shapes.png', size: bytes.length, fetch: async () => bytes };
}

interface Row {
  store: string;
  turnP50: number;
  turnP95: number;
  managerP50: number;
  managerP95: number;
  share: number;
}

async function benchStore(name: string, store: StoreOptions, engine: OnnxLegoEngine, image: Buffer): Promise<Row> {
  const config = loadConfig({ env: {}, overrides: { engine: { generation: { maxNewTokens: MAX_NEW_TOKENS, temperature: 0 } }, conversation: { store } } }).config;
  const runtime = await createConversationRuntime(config.conversation);
  const samples: { total: number; handler: number }[] = [];
  const bot = createBot({ config, engine, runtime: timedRuntime(runtime, samples) });
  const key = `bench-turn:${name}:${process.pid}`;
  const message = (text: string, files: IncomingAttachment[] = []): IncomingMessage => ({
    platform: 'cli', conversationKey: key, messageId: String(samples.length), author: { id: 'bench' }, text, attachments: files,
  });
  await bot.handle(message('Where is the red star?', [attachment(image)])); // warm-up: fetch, prepare, first save
  samples.length = 0;
  const turns: number[] = [];
  for (let i = 0; i < TURNS; i += 1) {
    const started = performance.now();
    const reply = await bot.handle(message(QUESTIONS[i % QUESTIONS.length]!));
    turns.push(performance.now() - started);
    if (reply.error !== undefined && reply.error.code !== 'bad-input') throw new Error(`turn failed: ${reply.error.code} ${reply.text}`);
  }
  await bot.close();
  await runtime.close();
  const manager = samples.map((s) => s.total - s.handler);
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  return {
    store: name,
    turnP50: percentile(turns, 50),
    turnP95: percentile(turns, 95),
    managerP50: percentile(manager, 50),
    managerP95: percentile(manager, 95),
    share: sum(manager) / sum(turns),
  };
}

async function main(): Promise<void> {
  const bundle = existsSync('models/lego-tiny/manifest.json') ? 'models/lego-tiny' : 'models/test-bundle';
  const engine = await OnnxLegoEngine.load(bundle);
  const image = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 190, b: 170 } } })
    .composite([{ input: Buffer.from('<svg width="640" height="480"><polygon points="120,100 150,190 60,135 180,135 90,190" fill="red"/><circle cx="420" cy="300" r="60" fill="blue"/></svg>') }])
    .png()
    .toBuffer();
  const dir = mkdtempSync(join(tmpdir(), 'lego-bench-turn-'));
  const redis = await startRedis();
  const rows: Row[] = [];
  try {
    rows.push(await benchStore('memory', { kind: 'memory', namespace: 'bench', timeoutMs: 10_000 }, engine, image));
    rows.push(await benchStore('sqlite', { kind: 'sqlite', path: join(dir, 'bench.sqlite'), busyTimeoutMs: 5_000, namespace: 'bench', timeoutMs: 10_000 }, engine, image));
    if (redis !== undefined) {
      rows.push(await benchStore('redis', { kind: 'redis', url: redis.url, connectTimeoutMs: 2_000, namespace: `bench${process.pid}`, timeoutMs: 10_000 }, engine, image));
    }
  } finally {
    redis?.child.kill('SIGTERM');
    await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  const date = new Date().toISOString().slice(0, 10);
  const lines = [
    '',
    `## The conversation manager's share of a whole turn (${date})`,
    '',
    `Command: \`npm run bench:turn\` (bench/turn.ts). One conversation on a 640×480 PNG, ${TURNS} follow-up turns per store after a`,
    `warm-up turn, through \`createBot\` with the real OnnxLegoEngine on \`${bundle}\` (greedy, at most ${MAX_NEW_TOKENS} new tokens${bundle.endsWith('test-bundle') ? '; random weights, so every answer runs to the token limit — lego-tiny\'s manifest was not exported yet' : ''}).`,
    'Turn = `bot.handle` from message to Reply (media from the tensor cache, generation, numbering, rendering).',
    'Manager = time in `runtime.turn` outside the pipeline\'s handler: queue, lease, load + zod validation, save, release.',
    `Machine: ${cpus().length}× ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}; the training run shared the cores.`,
    '',
    '| store | turn p50 | turn p95 | manager p50 | manager p95 | manager share of turn time |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.store} | ${fmt(r.turnP50)} ms | ${fmt(r.turnP95)} ms | ${fmt(r.managerP50)} ms | ${fmt(r.managerP95)} ms | ${(r.share * 100).toFixed(1)} % |`),
    '',
  ];
  if (redis === undefined) lines.splice(lines.length - 1, 0, '(Redis: no redis-server binary here, not measured.)');
  const report = lines.join('\n');
  process.stdout.write(`${report}\n`);
  if (APPEND) appendFileSync('docs/benchmarks.md', report);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:turn failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
