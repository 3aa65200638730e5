/**
 * `npm run bench:load [-- options]`: N concurrent conversations through `lego serve`, on loopback only.
 *
 * Starts OnnxLegoEngine behind `lego serve` (OpenAiServer) on 127.0.0.1:0 in this process and drives it
 * with RemoteEngine clients — the path a bot on another host takes: each conversation sends an image
 * (a reference image of the bundle, prepared like an upload) and asks `--turns` questions, keeping the
 * model's answers as history. Bounded in count (`--conversations × --turns` answers) and in time
 * (`--max-seconds`: no new turn starts after it). Reports throughput (answers/s, tokens/s), p50/p99
 * latency per answer, errors (must be zero; the exit code is 1 otherwise), the event-loop delay of the
 * process (server + engine + clients) and memory growth (RSS, heap) from after warm-up to the end.
 *
 * Options:
 *   --bundle DIR          bundle (default: models/lego-tiny when exported, else models/test-bundle)
 *   --conversations N     concurrent conversations (default 16; at most the engine's queue, 64)
 *   --turns N             questions per conversation (default 3)
 *   --max-new N           max new tokens per answer (default 24)
 *   --max-seconds S       time bound (default 120)
 *   --append              append the results and the command to docs/benchmarks.md
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { OpenAiServer } from '../adapters/openai-server/openai-server';
import { collectAnswer } from '../src/engine/collect-answer';
import { OnnxLegoEngine } from '../src/engine/onnx/onnx-lego-engine';
import { RemoteEngine } from '../src/engine/remote/remote-engine';
import type { PreparedImage, Turn } from '../src/engine/types';
import { prepareImage } from '../src/media/prepare-image';
import { referenceCases } from '../test/helpers/reference-bundle';

const ROOT = path.resolve(__dirname, '..');
const TEST_BUNDLE = path.join(ROOT, 'models/test-bundle');
const LEGO_TINY = path.join(ROOT, 'models/lego-tiny');
const QUESTIONS = ['Where is the red star?', 'What colour is box 1?', 'Where is the blue circle?', 'How many shapes are there?', 'Where is the green square?'];

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      bundle: { type: 'string' },
      conversations: { type: 'string', default: '16' },
      turns: { type: 'string', default: '3' },
      'max-new': { type: 'string', default: '24' },
      'max-seconds': { type: 'string', default: '120' },
      append: { type: 'boolean', default: false },
    },
  });
  const bundle = path.resolve(values.bundle ?? (existsSync(path.join(LEGO_TINY, 'manifest.json')) ? LEGO_TINY : TEST_BUNDLE));
  const conversations = Math.min(64, Math.max(1, Number(values.conversations)));
  const turns = Math.max(1, Number(values.turns));
  const maxNew = Math.max(1, Number(values['max-new']));
  const maxSeconds = Math.max(1, Number(values['max-seconds']));

  const engine = await OnnxLegoEngine.load(bundle, { intraOpNumThreads: 1 });
  // loopback only: the bench never listens on another interface
  const server = new OpenAiServer(engine, { host: '127.0.0.1', port: 0, processMetrics: true });
  const url = await server.start();
  const client = await RemoteEngine.connect({ endpoints: [url], syntax: 'lego', healthCheckIntervalMs: 0, timeoutMs: maxSeconds * 1000 });
  const images = referenceCases(TEST_BUNDLE)
    .filter((c) => c.media.kind === 'image')
    .map((c) => readFileSync(path.join(TEST_BUNDLE, c.media.source!)));
  const media: PreparedImage[] = await Promise.all(images.map((bytes) => prepareImage(bytes, client.media.image!)));

  // warm-up: one answer, then measure from here
  await collectAnswer(client.generate({ turns: [{ role: 'user', text: QUESTIONS[0]! }], media: media[0], options: { temperature: 0, maxNewTokens: maxNew } }));
  (globalThis as { gc?: () => void }).gc?.();
  const memStart = process.memoryUsage();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = performance.now();
  const deadline = started + maxSeconds * 1000;
  const latencies: number[] = [];
  const errors: string[] = [];
  let tokens = 0;
  let skipped = 0;

  async function conversation(n: number): Promise<void> {
    const history: Turn[] = [];
    const image = media[n % media.length]!;
    for (let t = 0; t < turns; t += 1) {
      if (performance.now() > deadline) {
        skipped += turns - t;
        return;
      }
      history.push({ role: 'user', text: QUESTIONS[(n + t) % QUESTIONS.length]! });
      const t0 = performance.now();
      try {
        const answer = await collectAnswer(client.generate({ turns: [...history], media: image, options: { temperature: 0, maxNewTokens: maxNew } }));
        latencies.push(performance.now() - t0);
        tokens += answer.finish.usage.completionTokens;
        history.push({ role: 'assistant', text: answer.text });
      } catch (error) {
        errors.push(error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : String(error));
        history.pop();
      }
    }
  }

  await Promise.all(Array.from({ length: conversations }, (_, n) => conversation(n)));
  const seconds = (performance.now() - started) / 1000;
  loop.disable();
  (globalThis as { gc?: () => void }).gc?.();
  const memEnd = process.memoryUsage();
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const queueDepth = /^lego_serve_queue_depth (\S+)/m.exec(metrics)?.[1] ?? '?';
  await client.dispose();
  await server.stop();
  await engine.dispose();

  const rows: [string, string][] = [
    ['bundle', path.relative(ROOT, bundle)],
    ['conversations × turns', `${conversations} × ${turns} (${latencies.length} answers, ${skipped} skipped at the time bound)`],
    ['wall time', `${seconds.toFixed(1)} s`],
    ['throughput', `${(latencies.length / seconds).toFixed(2)} answers/s, ${(tokens / seconds).toFixed(1)} tokens/s`],
    ['latency p50 / p99 / max', `${quantile(latencies, 0.5).toFixed(0)} / ${quantile(latencies, 0.99).toFixed(0)} / ${Math.max(...latencies).toFixed(0)} ms`],
    ['errors', String(errors.length)],
    ['event-loop delay p50 / p99 / max', `${(loop.percentile(50) / 1e6).toFixed(1)} / ${(loop.percentile(99) / 1e6).toFixed(1)} / ${(loop.max / 1e6).toFixed(1)} ms`],
    ['memory growth (RSS / heap used)', `${mb(memEnd.rss - memStart.rss)} / ${mb(memEnd.heapUsed - memStart.heapUsed)} (RSS ${mb(memStart.rss)} → ${mb(memEnd.rss)})`],
    ['queue depth at the end (/metrics)', queueDepth],
  ];
  const command = `npm run bench:load -- --conversations ${conversations} --turns ${turns} --max-new ${maxNew} --max-seconds ${maxSeconds}${values.bundle ? ` --bundle ${values.bundle}` : ''}`;
  const table = ['| measure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
  console.log(table);
  if (errors.length > 0) console.error(`errors:\n${[...new Set(errors)].slice(0, 10).join('\n')}`);
  if (values.append) {
    const day = new Date().toISOString().slice(0, 10);
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} at the end`;
    const section = [
      '',
      `## Load: lego serve (${day})`,
      '',
      `Command: \`${command}\` (bench/load.ts). RemoteEngine clients → \`lego serve\` → OnnxLegoEngine, all in one process on 127.0.0.1; greedy, each conversation one image and follow-up questions with the answers as history. Machine: ${machine}.`,
      '',
      table,
      '',
    ].join('\n');
    appendFileSync(path.join(ROOT, 'docs', 'benchmarks.md'), section);
  }
  if (errors.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
