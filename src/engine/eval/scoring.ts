/**
 * Scoring of answers against lego-tiny's held-out truth — the same rules as the Python evaluation
 * (models/lego-tiny/recipe/metrics.py); keep the two in step.
 */
import { boxIou, spanIou } from '../../grounding/iou';
import type { ModelBox, ModelSpan } from '../../grounding/types';

const COLOURS = ['red', 'green', 'blue', 'yellow', 'orange', 'purple', 'pink', 'white', 'black', 'gray', 'brown', 'cyan'];
const KINDS = ['circle', 'square', 'triangle', 'star', 'heart', 'hexagon', 'cross', 'diamond'];
const NUMBER_WORDS: Record<string, number> = { no: 0, zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8 };
const NUM = String.raw`(-?\d*\.?\d+)`;
const BOX = new RegExp(String.raw`\[\s*${NUM}\s*,\s*${NUM}\s*,\s*${NUM}\s*,\s*${NUM}\s*\]`, 'g');
const SPAN = new RegExp(String.raw`\{\s*${NUM}\s*,\s*${NUM}\s*\}`, 'g');

export interface EvalMetric {
  key: string;
  title: string;
  /** the target, when it sets one */
  target?: number;
}

export const EVAL_METRICS: readonly EvalMetric[] = [
  { key: 'refer_acc50', title: 'Referring Acc@0.5', target: 0.95 }, // lego-tiny v2 (issue 17); stage 5's was 0.9
  { key: 'spatial_acc50', title: 'Spatial referring Acc@0.5' },
  { key: 'describe_recall50', title: 'Description box recall@0.5' },
  { key: 'region_acc', title: 'Region question accuracy', target: 0.9 },
  { key: 'count_acc', title: 'Counting accuracy', target: 0.85 },
  { key: 'attribute_acc', title: 'Colour/shape accuracy' },
  { key: 'yesno_acc', title: 'Yes/no accuracy', target: 0.95 },
  { key: 'follow_acc', title: 'Follow-up accuracy', target: 0.85 },
  { key: 'video_r1_50', title: 'Video R@1, IoU 0.5', target: 0.9 }, // v2; stage 5's was 0.8
  { key: 'video_r1_70', title: 'Video R@1, IoU 0.7' },
  { key: 'video_miou', title: 'Video mIoU' },
  { key: 'vregion_acc', title: 'Video segment question accuracy' },
  { key: 'vdescribe_recall50', title: 'Video description span recall@0.5' },
  { key: 'sound_locate_acc50', title: 'Sound localisation Acc@0.5 (image + sound)', target: 0.85 },
  { key: 'sound_source_acc', title: 'Sound -> source accuracy', target: 0.9 },
  { key: 'sound_span_r1_50', title: 'Sound span R@1, IoU 0.5 (video + soundtrack)', target: 0.8 },
  { key: 'sound_span_miou', title: 'Sound span mIoU' },
];

/** The truth a held-out question is scored on (eval.jsonl's `truth`). */
export interface EvalTruth {
  box?: number[];
  boxes?: number[][];
  label?: string;
  labels?: string[];
  count?: number;
  yes?: boolean;
  what?: 'colour' | 'kind' | 'relation';
  span?: number[];
  spans?: number[][];
}

function toBox(v: readonly number[]): ModelBox {
  return { x1: v[0] ?? 0, y1: v[1] ?? 0, x2: v[2] ?? 0, y2: v[3] ?? 0 };
}

function toSpan(v: readonly number[]): ModelSpan {
  return { start: v[0] ?? 0, end: v[1] ?? 0 };
}

export function answerBoxes(text: string): number[][] {
  return [...text.matchAll(BOX)].map((m) => m.slice(1, 5).map(Number));
}

export function answerSpans(text: string): number[][] {
  return [...text.matchAll(SPAN)].map((m) => m.slice(1, 3).map(Number));
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+/g) ?? [];
}

function kindOf(word: string): string | undefined {
  if (KINDS.includes(word)) return word;
  const singular = word.replace(/s+$/, '');
  return KINDS.includes(singular) ? singular : undefined;
}

/** Both the colour and the kind of the truth are named, and no other colour/kind is. */
export function labelIn(text: string, label: string): boolean {
  const [colour, kind] = label.split(' ');
  const ws = words(text);
  const colours = new Set(ws.filter((w) => COLOURS.includes(w)));
  const kinds = new Set(ws.map(kindOf).filter((k): k is string => k !== undefined));
  return colours.size === 1 && colours.has(colour ?? '') && kinds.size === 1 && kinds.has(kind ?? '');
}

function wordOk(text: string, label: string, what: string): boolean {
  const [colour = '', kind = ''] = label.split(' ');
  const ws = words(text);
  if (what === 'colour') return ws.includes(colour) && ws.filter((w) => COLOURS.includes(w)).every((w) => w === colour);
  return ws.includes(kind) && ws.filter((w) => KINDS.includes(w)).every((w) => w === kind);
}

function turnedOk(text: string, label: string): boolean {
  const [colour = '', kind = ''] = label.split(' ');
  const ws = words(text);
  return ws.includes('turns') && ws.includes(colour) && ws.includes(kind);
}

export function countOf(text: string): number | undefined {
  const m = /\b(?:there (?:is|are))\s+(\w+)/.exec(text.toLowerCase());
  if (!m || m[1] === undefined) return undefined;
  return /^\d+$/.test(m[1]) ? Number(m[1]) : NUMBER_WORDS[m[1]];
}

/**
 * IoU at or over a threshold, up to float rounding: 2-decimal spans and 3-decimal boxes tie a threshold
 * exactly quite often, and the rounding of one runtime or the other must not decide the score
 * (metrics.py has the same rule).
 */
export function reaches(iou: number, threshold: number): boolean {
  return iou >= threshold - 1e-9;
}

function recall<T>(pred: T[], truth: T[], iou: (a: T, b: T) => number, threshold: number): number {
  if (truth.length === 0) return 1;
  const used = new Set<number>();
  let hit = 0;
  for (const t of truth) {
    let best = 0;
    let bestIndex = -1;
    pred.forEach((p, i) => {
      if (used.has(i)) return;
      const v = iou(p, t);
      if (v > best) {
        best = v;
        bestIndex = i;
      }
    });
    if (bestIndex >= 0 && reaches(best, threshold)) {
      used.add(bestIndex);
      hit += 1;
    }
  }
  return hit / truth.length;
}

const boxIouOf = (a: number[], b: number[]) => boxIou(toBox(a), toBox(b));
const spanIouOf = (a: number[], b: number[]) => spanIou(toSpan(a), toSpan(b));

/** Per-question scores; keys are EVAL_METRICS keys. */
export function scoreAnswer(task: string, truth: EvalTruth, answer: string): Record<string, number> {
  const boxes = answerBoxes(answer);
  const first = boxes[0];
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`truth for ${task} has no ${what}`);
    return v;
  };
  switch (task) {
    case 'refer':
    case 'spatial':
      return { [`${task}_acc50`]: first && reaches(boxIouOf(first, need(truth.box, 'box')), 0.5) ? 1 : 0 };
    case 'describe':
      return { describe_recall50: recall(boxes, need(truth.boxes, 'boxes'), boxIouOf, 0.5) };
    case 'region':
      return { region_acc: labelIn(answer, need(truth.label, 'label')) ? 1 : 0 };
    case 'count':
      return { count_acc: countOf(answer) === truth.count ? 1 : 0 };
    case 'attribute':
      return { attribute_acc: wordOk(answer, need(truth.label, 'label'), truth.what ?? 'colour') ? 1 : 0 };
    case 'yesno': {
      const a = answer.trim().toLowerCase();
      let ok = truth.yes ? a.startsWith('yes') : a.startsWith('no');
      if (ok && truth.yes && first) ok = reaches(boxIouOf(first, need(truth.box, 'box')), 0.5);
      return { yesno_acc: ok ? 1 : 0 };
    }
    case 'follow': {
      const what = truth.what;
      const ok = what === 'colour' || what === 'kind'
        ? wordOk(answer, need(truth.label, 'label'), what)
        : first !== undefined && reaches(boxIouOf(first, need(truth.box, 'box')), 0.5);
      return { follow_acc: ok ? 1 : 0 };
    }
    case 'when': {
      const s = answerSpans(answer)[0];
      const v = s ? spanIouOf(s, need(truth.span, 'span')) : 0;
      return { video_r1_50: reaches(v, 0.5) ? 1 : 0, video_r1_70: reaches(v, 0.7) ? 1 : 0, video_miou: v };
    }
    case 'vregion': {
      const label = need(truth.label, 'label');
      return { vregion_acc: labelIn(answer, label) || turnedOk(answer, label) ? 1 : 0 };
    }
    case 'vdescribe':
      return { vdescribe_recall50: recall(answerSpans(answer), need(truth.spans, 'spans'), spanIouOf, 0.5) };
    case 'sound_source':
      return { sound_source_acc: labelIn(answer, need(truth.label, 'label')) ? 1 : 0 };
    case 'sound_locate':
      return { sound_locate_acc50: first && reaches(boxIouOf(first, need(truth.box, 'box')), 0.5) ? 1 : 0 };
    case 'sound_span': {
      const s = answerSpans(answer)[0];
      const v = s ? spanIouOf(s, need(truth.span, 'span')) : 0;
      return { sound_span_r1_50: reaches(v, 0.5) ? 1 : 0, sound_span_miou: v };
    }
    default:
      throw new Error(`unknown task ${task}`);
  }
}

export interface EvalSummary {
  metrics: Record<string, number>;
  counts: Record<string, number>;
  /**
   * the same over the rows whose scored question was a template training drew (`seen`) or never drew
   * (`held-out`), when the split marks them (eval.jsonl's `template`)
   */
  templates?: Record<TemplateMark, { metrics: Record<string, number>; counts: Record<string, number> }>;
}

export type TemplateMark = 'seen' | 'held-out';

export function aggregateScores(rows: readonly Record<string, number>[], marks?: readonly (TemplateMark | undefined)[]): EvalSummary {
  const summary = aggregate(rows);
  if (marks === undefined || !marks.some((m) => m !== undefined)) return summary;
  const only = (mark: TemplateMark) => aggregate(rows.filter((_, i) => marks[i] === mark));
  return { ...summary, templates: { seen: only('seen'), 'held-out': only('held-out') } };
}

function aggregate(rows: readonly Record<string, number>[]): { metrics: Record<string, number>; counts: Record<string, number> } {
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) {
      sums[k] = (sums[k] ?? 0) + v;
      counts[k] = (counts[k] ?? 0) + 1;
    }
  }
  const metrics: Record<string, number> = {};
  for (const k of Object.keys(sums)) metrics[k] = (sums[k] ?? 0) / (counts[k] ?? 1);
  return { metrics, counts };
}

const percent = (v: number): string => `${(v * 100).toFixed(1)} %`;
const targetCell = (m: EvalMetric): string => (m.target === undefined ? '—' : `≥ ${(m.target * 100).toFixed(0)} %`);

/**
 * The same Markdown table the Python evaluation prints (metrics.py): one value a metric, or — when the
 * split marks templates — all rows, seen templates and held-out templates side by side (`split_table`).
 */
export function formatEvalTable(summary: EvalSummary): string {
  if (summary.templates !== undefined) return formatSplitTable(summary, summary.templates);
  const lines = ['| metric | value | target | n |', '|---|---|---|---|'];
  for (const m of EVAL_METRICS) {
    const v = summary.metrics[m.key];
    if (v === undefined) continue;
    const mark = m.target === undefined ? '' : v >= m.target ? ' ✓' : ' ✗';
    lines.push(`| ${m.title} | ${percent(v)}${mark} | ${targetCell(m)} | ${summary.counts[m.key] ?? 0} |`);
  }
  return lines.join('\n');
}

function formatSplitTable(summary: EvalSummary, templates: NonNullable<EvalSummary['templates']>): string {
  const lines = ['| metric | all | seen templates | held-out templates | target | n (seen/held-out) |', '|---|---|---|---|---|---|'];
  const parts = { all: summary, seen: templates.seen, 'held-out': templates['held-out'] };
  for (const m of EVAL_METRICS) {
    if (summary.metrics[m.key] === undefined) continue;
    const cells = (['all', 'seen', 'held-out'] as const).map((part) => {
      const v = parts[part].metrics[m.key];
      if (v === undefined) return '—';
      const mark = m.target === undefined || part === 'seen' ? '' : v >= m.target ? ' ✓' : ' ✗';
      return `${percent(v)}${mark}`;
    });
    const n = `${templates.seen.counts[m.key] ?? 0}/${templates['held-out'].counts[m.key] ?? 0}`;
    lines.push(`| ${m.title} | ${cells.join(' | ')} | ${targetCell(m)} | ${n} |`);
  }
  return lines.join('\n');
}
