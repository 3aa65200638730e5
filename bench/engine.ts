/**
 * `npm run bench:engine [-- options]`: how fast OnnxLegoEngine is on this machine.
 *
 * Measures, on a bundle's reference cases (its preprocessed media tensors, greedy decoding):
 *   load time (manifest, checks, sessions, trial run), media encode, prefill, decode tokens/s,
 *   time to first token, time to first box for an image question, and the event-loop delay p99
 *   while generating. Prints a table; `--json FILE` also writes the numbers.
 *
 * Options:
 *   --bundle DIR       bundle folder (default: models/lego-tiny when it has a manifest, else models/test-bundle)
 *   --provider P       cpu (default) or cuda
 *   --threads N        intra-op threads (default: onnxruntime's)
 *   --runs N           timed runs per case after one warm-up (default 5)
 *   --max-new N        max new tokens per answer (default: the bundle's)
 *   --json FILE        write the results as JSON
 *   --cache-steps N    also time N decoder steps with the cache in the engine's own buffers vs fed back as
 *                      present.* tensors, alternating, after a 120-token prompt (default 200; 0 = skip)
 *   --torch-checkpoint PT  the same weights' PyTorch checkpoint: alternate rounds of PyTorch eager
 *                      (models/lego-tiny/recipe/bench_torch.py, Debian's python3) and this engine, --runs
 *                      runs each per round, and report each metric's median over the rounds and the
 *                      median of the per-round decode speed-ups (the host's noise hits both sides alike)
 *   --torch            the same as --torch-checkpoint with the PyTorch model rebuilt from the bundle's own
 *                      ONNX files (models/lego-tiny/recipe/from_onnx.py): works from a fresh clone. The
 *                      default when Debian's python3 has torch and onnx and no --pytorch file is given
 *   --no-torch         the engine alone (no PyTorch rounds)
 *   --rounds N         rounds with --torch-checkpoint or --torch (default 5)
 *   --pytorch FILE     PyTorch-eager numbers for the same weights (hook for the recipe's bench script):
 *                      JSON {"prefill_ms": n, "decode_tokens_per_s": n, "first_token_ms": n,
 *                      "first_box_ms": n, "encode_ms": n}; any subset. Adds a PyTorch column and the
 *                      speed-up (ONNX / PyTorch) to the table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadLegoBundle } from '../src/engine/onnx/lego-bundle';
import type { KvCache, LegoGraphs } from '../src/engine/onnx/lego-graphs';
import { OnnxLegoEngine } from '../src/engine/onnx/onnx-lego-engine';
import { silentLogger } from '../src/engine/silent-logger';
import type { ExecutionProviderName } from '../src/engine/onnx/session-factory';
import type { GenerateRequest, Part } from '../src/engine/types';
import { referenceCases, referenceMedia } from '../test/helpers/reference-bundle';
import type { ReferenceCase } from '../test/helpers/reference-bundle';

const ROOT = path.resolve(__dirname, '..');

/** What the PyTorch side reports (snake_case, as the Python script writes it). */
export interface PyTorchNumbers {
  prefill_ms?: number;
  decode_tokens_per_s?: number;
  first_token_ms?: number;
  first_box_ms?: number;
  encode_ms?: number;
}

export interface EngineBenchResult {
  bundle: string;
  executionProvider: ExecutionProviderName;
  loadMs: number;
  encodeMs: number;
  prefillMs: number;
  promptTokens: number;
  decodeTokensPerSecond: number;
  firstTokenMs: number;
  firstBoxMs: number | null;
  eventLoopP99Ms: number;
  runs: number;
  cases: number;
}

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface RunNumbers {
  encodeMs: number;
  prefillMs: number;
  promptTokens: number;
  decodeTokens: number;
  decodeMs: number;
  firstTokenMs: number;
  firstBoxMs: number | null;
}

async function timedRun(engine: OnnxLegoEngine, request: GenerateRequest): Promise<RunNumbers> {
  const started = performance.now();
  let firstBoxMs: number | null = null;
  let finish: Extract<Part, { type: 'finish' }> | undefined;
  for await (const part of engine.generate(request)) {
    if (part.type === 'box' && firstBoxMs === null) firstBoxMs = performance.now() - started;
    if (part.type === 'error') throw part.error;
    if (part.type === 'finish') finish = part;
  }
  if (finish === undefined) throw new Error('no finish part');
  const t = finish.timings;
  return {
    encodeMs: t.encodeMs ?? 0,
    prefillMs: t.prefillMs ?? 0,
    promptTokens: finish.usage.promptTokens,
    // the first token comes from the prefill; the decode loop makes the rest
    decodeTokens: Math.max(0, finish.usage.completionTokens - 1),
    decodeMs: t.decodeMs ?? 0,
    firstTokenMs: t.firstTokenMs ?? Number.NaN,
    firstBoxMs,
  };
}

function defaultBundle(): string {
  const tiny = path.join(ROOT, 'models/lego-tiny');
  return existsSync(path.join(tiny, 'manifest.json')) ? tiny : path.join(ROOT, 'models/test-bundle');
}

export async function benchEngine(options: {
  bundle: string;
  provider: ExecutionProviderName;
  threads?: number;
  runs: number;
  maxNew?: number;
}): Promise<EngineBenchResult> {
  const t0 = performance.now();
  const engine = await OnnxLegoEngine.load(options.bundle, {
    executionProvider: options.provider,
    ...(options.threads === undefined ? {} : { intraOpNumThreads: options.threads }),
  });
  const loadMs = performance.now() - t0;
  try {
    const cases: ReferenceCase[] = referenceCases(options.bundle);
    const requestOf = (c: ReferenceCase): GenerateRequest => ({
      turns: c.turns,
      media: referenceMedia(c, options.bundle),
      options: { temperature: 0, ...(options.maxNew === undefined ? {} : { maxNewTokens: options.maxNew }) },
    });
    for (const c of cases) await timedRun(engine, requestOf(c)); // warm-up
    const all: RunNumbers[] = [];
    const boxes: number[] = [];
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    for (let r = 0; r < options.runs; r += 1) {
      for (const c of cases) {
        const n = await timedRun(engine, requestOf(c));
        all.push(n);
        if (c.media.kind === 'image' && n.firstBoxMs !== null) boxes.push(n.firstBoxMs);
      }
    }
    delay.disable();
    const decodeTokens = all.reduce((s, n) => s + n.decodeTokens, 0);
    const decodeMs = all.reduce((s, n) => s + n.decodeMs, 0);
    const imageRuns = all.filter((_, i) => cases[i % cases.length]!.media.kind === 'image');
    return {
      bundle: path.relative(ROOT, options.bundle) || options.bundle,
      executionProvider: engine.executionProvider,
      loadMs,
      encodeMs: median(imageRuns.map((n) => n.encodeMs)),
      prefillMs: median(imageRuns.map((n) => n.prefillMs)),
      promptTokens: median(imageRuns.map((n) => n.promptTokens)),
      decodeTokensPerSecond: decodeMs > 0 ? (decodeTokens / decodeMs) * 1000 : Number.NaN,
      firstTokenMs: median(imageRuns.map((n) => n.firstTokenMs)),
      firstBoxMs: boxes.length > 0 ? median(boxes) : null,
      eventLoopP99Ms: delay.percentile(99) / 1e6,
      runs: options.runs,
      cases: cases.length,
    };
  } finally {
    await engine.dispose();
  }
}

export interface CacheBenchResult {
  steps: number;
  /** µs per decoder step (session call + cache bookkeeping), median of alternating rounds */
  ownBuffersUs: number;
  presentTensorsUs: number;
}

async function timeSteps(g: LegoGraphs, steps: number): Promise<number> {
  const vocab = 100;
  const prompt = Array.from({ length: 120 }, (_, i) => (i * 7 + 3) % vocab);
  let step = await g.decode(await g.embed(prompt), prompt.length, g.emptyCache());
  const t0 = performance.now();
  for (let i = 0; i < steps; i += 1) {
    const cache: KvCache = step.cache;
    step = await g.decode(await g.embed([(i * 13) % vocab]), 1, cache);
  }
  return ((performance.now() - t0) * 1000) / steps;
}

/**
 * Decoder steps with the cache kept in the engine's own buffers (present_step.*) vs fed back as the
 * decoder's present.* tensors: same sessions, alternating rounds, medians.
 */
export async function benchCache(options: { bundle: string; threads?: number; steps: number; rounds?: number }): Promise<CacheBenchResult | null> {
  const bundle = await loadLegoBundle(options.bundle, {
    executionProvider: 'cpu',
    intraOpNumThreads: options.threads,
    spinning: false,
    logger: silentLogger,
    trialRun: false,
  });
  try {
    if (!bundle.graphs.keepsOwnCache) return null;
    const own: number[] = [];
    const present: number[] = [];
    const plain = bundle.graphs.withPresentCache();
    await timeSteps(bundle.graphs, 20);
    await timeSteps(plain, 20);
    for (let r = 0; r < (options.rounds ?? 7); r += 1) {
      own.push(await timeSteps(bundle.graphs, options.steps));
      present.push(await timeSteps(plain, options.steps));
    }
    return { steps: options.steps, ownBuffersUs: median(own), presentTensorsUs: median(present) };
  } finally {
    await bundle.graphs.release();
  }
}

function pythonForTorch(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Whether the recipe's PyTorch side can run here: undefined when it can, else why not (one line). */
function torchMissing(): string | undefined {
  const r = spawnSync(pythonForTorch(), ['-c', 'import torch, onnx, numpy'], { encoding: 'utf8' });
  if (r.status === 0) return undefined;
  const why = (r.stderr || r.error?.message || '').trim().split('\n').pop() ?? '';
  return `${pythonForTorch()} cannot import torch, onnx and numpy (${why}): apt-get install -y python3-torch python3-onnx python3-numpy, or bash scripts/system-packages.sh`;
}

/** One PyTorch-eager round: the recipe's bench script on the same reference cases. */
function torchRound(checkpoint: string | undefined, bundle: string, runs: number, threads: number | undefined): PyTorchNumbers {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-torch-'));
  try {
    const out = path.join(dir, 'torch.json');
    const python = pythonForTorch();
    const script = path.join(ROOT, 'models/lego-tiny/recipe/bench_torch.py');
    const args = [script, ...(checkpoint === undefined ? [] : ['--checkpoint', checkpoint]), '--bundle', bundle, '--out', out, '--runs', String(runs), '--threads', String(threads ?? 1)];
    const r = spawnSync(python, args, { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    if (r.status !== 0) throw new Error(`bench_torch.py failed (${r.status}): ${r.stderr.slice(-2000)}`);
    return JSON.parse(readFileSync(out, 'utf8')) as PyTorchNumbers;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface RoundsResult {
  onnx: EngineBenchResult;
  torch: PyTorchNumbers;
  /** decode tokens/s, ONNX / PyTorch, per round */
  decodeRatios: number[];
}

/** Alternating rounds of PyTorch eager and this engine; medians over the rounds. */
export async function benchRounds(options: {
  bundle: string;
  provider: ExecutionProviderName;
  threads?: number;
  runs: number;
  rounds: number;
  /** undefined: rebuilt from the bundle's ONNX files by bench_torch.py */
  checkpoint: string | undefined;
  maxNew?: number;
}): Promise<RoundsResult> {
  const onnx: EngineBenchResult[] = [];
  const torch: PyTorchNumbers[] = [];
  for (let r = 0; r < options.rounds; r += 1) {
    torch.push(torchRound(options.checkpoint, options.bundle, options.runs, options.threads));
    onnx.push(await benchEngine(options));
    const o = onnx[r]!, t = torch[r]!;
    console.error(`round ${r + 1}/${options.rounds}: decode ${o.decodeTokensPerSecond.toFixed(0)} vs ${(t.decode_tokens_per_s ?? Number.NaN).toFixed(0)} tokens/s`);
  }
  const med = (xs: (number | null | undefined)[]): number => median(xs.filter((x): x is number => typeof x === 'number' && !Number.isNaN(x)));
  const first = onnx[0]!;
  return {
    onnx: {
      ...first,
      loadMs: med(onnx.map((o) => o.loadMs)),
      encodeMs: med(onnx.map((o) => o.encodeMs)),
      prefillMs: med(onnx.map((o) => o.prefillMs)),
      decodeTokensPerSecond: med(onnx.map((o) => o.decodeTokensPerSecond)),
      firstTokenMs: med(onnx.map((o) => o.firstTokenMs)),
      firstBoxMs: first.firstBoxMs === null ? null : med(onnx.map((o) => o.firstBoxMs)),
      eventLoopP99Ms: med(onnx.map((o) => o.eventLoopP99Ms)),
      runs: options.runs * options.rounds,
    },
    torch: {
      prefill_ms: med(torch.map((t) => t.prefill_ms)),
      decode_tokens_per_s: med(torch.map((t) => t.decode_tokens_per_s)),
      first_token_ms: med(torch.map((t) => t.first_token_ms)),
      first_box_ms: med(torch.map((t) => t.first_box_ms)),
      encode_ms: med(torch.map((t) => t.encode_ms)),
    },
    decodeRatios: onnx.map((o, i) => o.decodeTokensPerSecond / (torch[i]!.decode_tokens_per_s ?? Number.NaN)),
  };
}

function fmt(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(digits);
}

export function formatTable(r: EngineBenchResult, torch?: PyTorchNumbers): string {
  // [metric, ONNX value, PyTorch value, true when higher is better]
  const rows: [string, number | null, number | undefined, boolean][] = [
    ['load (ms)', r.loadMs, undefined, false],
    ['image encode (ms, median)', r.encodeMs, torch?.encode_ms, false],
    [`prefill (ms, median, ~${fmt(r.promptTokens, 0)} tokens)`, r.prefillMs, torch?.prefill_ms, false],
    ['decode (tokens/s)', r.decodeTokensPerSecond, torch?.decode_tokens_per_s, true],
    ['first token (ms, median)', r.firstTokenMs, torch?.first_token_ms, false],
    ['first box, image question (ms, median)', r.firstBoxMs, torch?.first_box_ms, false],
    ['event-loop delay p99 while generating (ms)', r.eventLoopP99Ms, undefined, false],
  ];
  const header = torch === undefined ? ['metric', 'onnx (ts)'] : ['metric', 'onnx (ts)', 'pytorch eager', 'speed-up'];
  const body = rows.map(([name, v, t, higher]) => {
    if (torch === undefined) return [name, fmt(v)];
    const ratio = v === null || t === undefined || v === 0 || t === 0 ? undefined : higher ? v / t : t / v;
    return [name, fmt(v), fmt(t), ratio === undefined ? '' : `${ratio.toFixed(2)}×`];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    `bundle ${r.bundle} on ${r.executionProvider}; ${r.cases} reference cases × ${r.runs} runs, greedy`,
    line(header),
    `|${widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      bundle: { type: 'string' },
      provider: { type: 'string', default: 'cpu' },
      threads: { type: 'string' },
      runs: { type: 'string', default: '5' },
      'max-new': { type: 'string' },
      json: { type: 'string' },
      pytorch: { type: 'string' },
      'cache-steps': { type: 'string', default: '200' },
      'torch-checkpoint': { type: 'string' },
      torch: { type: 'boolean', default: false },
      'no-torch': { type: 'boolean', default: false },
      rounds: { type: 'string', default: '5' },
    },
  });
  const provider = values.provider === 'cuda' ? 'cuda' : 'cpu';
  const common = {
    bundle: path.resolve(values.bundle ?? defaultBundle()),
    provider,
    runs: Math.max(1, Number(values.runs)),
    ...(values.threads === undefined ? {} : { threads: Number(values.threads) }),
    ...(values['max-new'] === undefined ? {} : { maxNew: Number(values['max-new']) }),
  } as const;
  let result: EngineBenchResult;
  let torch: PyTorchNumbers | undefined;
  let ratios: number[] | undefined;
  const asked = values['torch-checkpoint'] !== undefined || values.torch === true;
  let anchor = asked;
  if (!asked && values.pytorch === undefined && values['no-torch'] !== true) {
    // by default the engine is measured against PyTorch eager on the same weights (issue 17): rebuilt
    // from the bundle's ONNX files, so a fresh clone has it
    const missing = torchMissing();
    if (missing === undefined) anchor = true;
    else console.log(`PyTorch anchor not run: ${missing}`);
  }
  if (anchor) {
    const checkpoint = values['torch-checkpoint'] === undefined ? undefined : path.resolve(values['torch-checkpoint']);
    const r = await benchRounds({ ...common, rounds: Math.max(1, Number(values.rounds)), checkpoint });
    result = r.onnx;
    torch = r.torch;
    ratios = r.decodeRatios;
  } else {
    result = await benchEngine(common);
    torch = values.pytorch === undefined ? undefined : (JSON.parse(readFileSync(values.pytorch, 'utf8')) as PyTorchNumbers);
  }
  console.log(formatTable(result, torch));
  if (ratios !== undefined) {
    console.log(`decode speed-up per round: ${ratios.map((x) => `${x.toFixed(2)}×`).join(', ')}; median ${median(ratios).toFixed(2)}× (medians over ${ratios.length} alternating rounds above)`);
  }
  const cacheSteps = Number(values['cache-steps']);
  let cache: CacheBenchResult | null = null;
  if (cacheSteps > 0) {
    cache = await benchCache({ bundle: common.bundle, steps: cacheSteps, ...(common.threads === undefined ? {} : { threads: common.threads }) });
    console.log(
      cache === null
        ? 'key/value cache: the decoder has no present_step.* outputs; the cache is fed back as present.* tensors'
        : `key/value cache, ${cache.steps} steps after a 120-token prompt: own buffers ${cache.ownBuffersUs.toFixed(0)} µs/step, ` +
            `present.* fed back ${cache.presentTensorsUs.toFixed(0)} µs/step (${(cache.presentTensorsUs / cache.ownBuffersUs).toFixed(2)}× faster)`,
    );
  }
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify({ onnx: result, pytorch: torch ?? null, decodeRatios: ratios ?? null, cache }, null, 2));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
