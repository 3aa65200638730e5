/**
 * `lego eval`: runs lego-tiny's held-out split (models/lego-tiny/recipe/evalset.py writes it: real
 * image, MP4 and WAV files plus eval.jsonl) through a GroundingEngine and scores it with the same rules as
 * the Python evaluation, so the two tables can be compared.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { LegoError } from '../../errors';
import { engineReads, prepareForEngine } from '../../media/prepare-for-engine';
import { collectAnswer } from '../collect-answer';
import type { CollectedAnswer, GenerateRequest, GroundingEngine, PreparedAudio, PreparedMedia, Turn } from '../types';
import type { EvalSummary, EvalTruth } from './scoring';
import { aggregateScores, scoreAnswer } from './scoring';
import { formatBox, formatSpan } from '../../grounding/lego-format';
import { replaceRegions } from '../../grounding/replace-regions';

const EvalRowSchema = z.object({
  id: z.string(),
  task: z.string(),
  /** whether the scored question's phrasing is a template training drew (docs/bundle-format.md) */
  template: z.enum(['seen', 'held-out']).optional(),
  /** the image or video; null for a sound alone */
  media: z
    .object({
      kind: z.enum(['image', 'video']),
      file: z.string(),
      width: z.number(),
      height: z.number(),
      duration: z.number().optional(),
    })
    .nullable(),
  /** the sound: a WAV, or the video's own file for its soundtrack */
  audio: z
    .object({
      file: z.string(),
      duration: z.number().optional(),
      clips: z.number().int().positive().optional(),
      soundtrack: z.boolean().optional(),
    })
    .optional(),
  turns: z.array(z.object({ role: z.enum(['user', 'assistant']), text: z.string() })).min(1),
  truth: z.record(z.string(), z.unknown()),
  answer: z.string(),
});

export type EvalRow = z.infer<typeof EvalRowSchema>;

export interface EvalPrediction {
  id: string;
  task: string;
  template?: 'seen' | 'held-out';
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
   * engine's [3, S, S] or [F, 3, S, S]) and each sound's features (`<file>.audio.f32`, [C, n_mels,
   * frames]), so that the Python evaluation can score the same inputs (evaluate.py --inputs) and the
   * two runtimes are compared on the model alone.
   */
  saveInputs?: string;
  onProgress?: (progress: EvalProgress) => void;
  signal?: AbortSignal;
}

export interface EvalReport extends EvalSummary {
  predictions: EvalPrediction[];
  seconds: number;
  /** questions left out by task, because the engine cannot take their media (a sound, for a model without an audio encoder) */
  skipped: Record<string, number>;
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

interface RowInputs {
  media: PreparedMedia | undefined;
  audio: PreparedAudio | undefined;
}

/**
 * The row's image or video and its sound, through the one preparation path (src/media/prepare-for-engine.ts)
 * as for chat messages: a video's soundtrack comes with the video, a sound file on its own.
 */
async function prepare(engine: GroundingEngine, folder: string, row: EvalRow): Promise<RowInputs> {
  let media: PreparedMedia | undefined;
  let soundtrack: PreparedAudio | undefined;
  if (row.media !== null) {
    const kind = row.media.kind;
    if (!engineReads(engine.media, kind)) throw new LegoError('unsupported-media', `${engine.name} takes no ${kind}s`);
    const path = join(folder, row.media.file);
    const entry = await prepareForEngine(engine.media, kind, kind === 'image' ? await readFile(path) : path);
    media = entry.prepared;
    soundtrack = entry.audio;
  }
  if (row.audio === undefined) return { media, audio: undefined };
  if (!engineReads(engine.media, 'audio')) throw new LegoError('unsupported-media', `${engine.name} takes no sounds`);
  if (row.audio.soundtrack === true) {
    if (soundtrack === undefined) throw new LegoError('bad-input', `${row.id}: ${row.audio.file} has no soundtrack to score`);
    return { media, audio: soundtrack };
  }
  return { media, audio: (await prepareForEngine(engine.media, 'audio', join(folder, row.audio.file))).audio };
}

/** Whether the engine takes every input the row has. */
function answerable(engine: GroundingEngine, row: EvalRow): boolean {
  if (row.media !== null && engine.media[row.media.kind] === null && !engine.media.source?.[row.media.kind]) return false;
  return row.audio === undefined || engineReads(engine.media, 'audio');
}

async function saveInputs(folder: string, file: string, values: Float32Array): Promise<void> {
  const target = join(folder, file);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

/**
 * The answer with each region the engine found written in LEGO's syntax (its model frame), so that a
 * remote model's own syntax (```json boxes, `<loc_N>`, seconds) is scored like LEGO's; a LEGO answer
 * comes back as it was written, up to spacing.
 */
export function legoAnswerText(answer: CollectedAnswer): string {
  const regions = [
    ...answer.boxes.map((b) => ({ start: b.start, end: b.end, shown: b.shown, lego: formatBox(b.box) })),
    ...answer.spans.map((s) => ({ start: s.start, end: s.end, shown: s.shown, lego: formatSpan(s.span) })),
  ];
  const { head, rest } = replaceRegions(answer.text, regions, (region) => region.lego);
  return head + rest;
}

export async function runEval(engine: GroundingEngine, folder: string, options: RunEvalOptions = {}): Promise<EvalReport> {
  const selected = selectRows(await readEvalSplit(folder), options);
  const skipped: Record<string, number> = {};
  const rows = selected.filter((row) => {
    if (answerable(engine, row)) return true;
    skipped[row.task] = (skipped[row.task] ?? 0) + 1;
    return false;
  });
  const started = performance.now();
  const predictions: EvalPrediction[] = [];
  const saved = new Set<string>();
  for (const row of rows) {
    if (options.signal?.aborted) throw new LegoError('aborted', 'evaluation cancelled');
    const t0 = performance.now();
    const { media, audio } = await prepare(engine, folder, row);
    if (options.saveInputs !== undefined) {
      const inputs: [string, Float32Array | undefined][] = [
        [`${row.media?.file}.f32`, row.media === null ? undefined : media?.pixelValues],
        [`${row.audio?.file}.audio.f32`, audio?.features],
      ];
      for (const [file, values] of inputs) {
        // an engine that takes the source media has no tensor to save
        if (values === undefined || values.length === 0 || saved.has(file)) continue;
        saved.add(file);
        await saveInputs(options.saveInputs, file, values);
      }
    }
    const turns: Turn[] = row.turns.map((t) => ({ role: t.role, text: t.text }));
    const request: GenerateRequest = { turns, media, options: { temperature: 0, maxNewTokens: options.maxNewTokens ?? 200 } };
    if (audio !== undefined) request.audio = audio;
    const answer = await collectAnswer(engine.generate(request, options.signal ? { signal: options.signal } : {}));
    predictions.push({
      id: row.id,
      task: row.task,
      ...(row.template === undefined ? {} : { template: row.template }),
      answer: answer.text,
      truth: row.answer,
      scores: scoreAnswer(row.task, row.truth as EvalTruth, legoAnswerText(answer)),
      ms: performance.now() - t0,
    });
    options.onProgress?.({ done: predictions.length, total: rows.length, elapsedMs: performance.now() - started });
  }
  const summary = aggregateScores(
    predictions.map((p) => p.scores),
    predictions.map((p) => p.template),
  );
  return { ...summary, predictions, seconds: (performance.now() - started) / 1000, skipped };
}
