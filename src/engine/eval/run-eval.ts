/**
 * `lego eval`: runs lego-tiny's held-out split (models/lego-tiny/recipe/evalset.py writes it: real
 * image and MP4 files plus eval.jsonl) through a GroundingEngine and scores it with the same rules as
 * the Python evaluation, so the two tables can be compared.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { LegoError } from '../../errors';
import { prepareImageFor, prepareSourceVideo } from '../../media/source-media';
import { prepareVideo } from '../../media/prepare-video';
import { collectAnswer } from '../collect-answer';
import type { GroundingEngine, PreparedMedia, Turn } from '../types';
import type { EvalSummary, EvalTruth } from './scoring';
import { aggregateScores, scoreAnswer } from './scoring';

const EvalRowSchema = z.object({
  id: z.string(),
  task: z.string(),
  media: z.object({
    kind: z.enum(['image', 'video']),
    file: z.string(),
    width: z.number(),
    height: z.number(),
    duration: z.number().optional(),
  }),
  turns: z.array(z.object({ role: z.enum(['user', 'assistant']), text: z.string() })).min(1),
  truth: z.record(z.string(), z.unknown()),
  answer: z.string(),
});

export type EvalRow = z.infer<typeof EvalRowSchema>;

export interface EvalPrediction {
  id: string;
  task: string;
  answer: string;
  truth: string;
  scores: Record<string, number>;
  ms: number;
}

export interface EvalProgress {
  done: number;
  total: number;
  elapsedMs: number;
}

export interface RunEvalOptions {
  /** questions per task (0 or undefined = all) */
  limit?: number;
  /** only these tasks */
  tasks?: readonly string[];
  maxNewTokens?: number;
  /**
   * Also write each media file's prepared pixels here (`<file>.f32`, float32 little-endian, the
   * engine's [3, S, S] or [F, 3, S, S]), so that the Python evaluation can score the same pixels
   * (evaluate.py --inputs) and the two runtimes are compared on the model alone.
   */
  saveInputs?: string;
  onProgress?: (progress: EvalProgress) => void;
  signal?: AbortSignal;
}

export interface EvalReport extends EvalSummary {
  predictions: EvalPrediction[];
  seconds: number;
}

export async function readEvalSplit(folder: string): Promise<EvalRow[]> {
  let text: string;
  try {
    text = await readFile(join(folder, 'eval.jsonl'), 'utf8');
  } catch (cause) {
    throw new LegoError('not-found', `no eval.jsonl in ${folder}`, {
      cause,
      userMessage: `No held-out split in ${folder}: build it with models/lego-tiny/recipe/run.sh data`,
    });
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const parsed = EvalRowSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new LegoError('bad-input', `eval.jsonl line ${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

export function selectRows(rows: readonly EvalRow[], options: Pick<RunEvalOptions, 'limit' | 'tasks'>): EvalRow[] {
  const seen = new Map<string, number>();
  return rows.filter((row) => {
    if (options.tasks && !options.tasks.includes(row.task)) return false;
    const n = (seen.get(row.task) ?? 0) + 1;
    seen.set(row.task, n);
    return !options.limit || n <= options.limit;
  });
}

async function prepare(engine: GroundingEngine, folder: string, row: EvalRow): Promise<PreparedMedia> {
  const path = join(folder, row.media.file);
  if (row.media.kind === 'image') {
    if (!engine.media.image && !engine.media.source?.image) throw new LegoError('unsupported-media', `${engine.name} takes no images`);
    return prepareImageFor(engine.media, await readFile(path));
  }
  const budget = engine.media.source?.video;
  if (budget) return (await prepareSourceVideo(path, budget)).prepared;
  const spec = engine.media.video;
  if (!spec) throw new LegoError('unsupported-media', `${engine.name} takes no videos`);
  return prepareVideo(path, spec);
}

export async function runEval(engine: GroundingEngine, folder: string, options: RunEvalOptions = {}): Promise<EvalReport> {
  const rows = selectRows(await readEvalSplit(folder), options);
  const started = performance.now();
  const predictions: EvalPrediction[] = [];
  const saved = new Set<string>();
  for (const row of rows) {
    if (options.signal?.aborted) throw new LegoError('aborted', 'evaluation cancelled');
    const t0 = performance.now();
    const media = await prepare(engine, folder, row);
    if (options.saveInputs !== undefined && !saved.has(row.media.file)) {
      saved.add(row.media.file);
      const target = join(options.saveInputs, `${row.media.file}.f32`);
      await mkdir(dirname(target), { recursive: true });
      const px = media.pixelValues;
      await writeFile(target, new Uint8Array(px.buffer, px.byteOffset, px.byteLength));
    }
    const turns: Turn[] = row.turns.map((t) => ({ role: t.role, text: t.text }));
    const answer = await collectAnswer(
      engine.generate(
        { turns, media, options: { temperature: 0, maxNewTokens: options.maxNewTokens ?? 200 } },
        options.signal ? { signal: options.signal } : {},
      ),
    );
    predictions.push({
      id: row.id,
      task: row.task,
      answer: answer.text,
      truth: row.answer,
      scores: scoreAnswer(row.task, row.truth as EvalTruth, answer.text),
      ms: performance.now() - t0,
    });
    options.onProgress?.({ done: predictions.length, total: rows.length, elapsedMs: performance.now() - started });
  }
  const summary = aggregateScores(predictions.map((p) => p.scores));
  return { ...summary, predictions, seconds: (performance.now() - started) / 1000 };
}
