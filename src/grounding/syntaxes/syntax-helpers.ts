import { labelBefore } from '../grounding-label';
import type { GroundingWarningCallback } from '../types';
import type { GroundingSyntaxName, ImageFrame, SyntaxBoxMatch, SyntaxContext, SyntaxSpanMatch } from './types';

/** Safe call of a warning callback: a failing logger must not break parsing. */
export function warn(onWarning: GroundingWarningCallback | undefined, message: string, raw: string, offset: number): void {
  if (onWarning === undefined) return;
  try {
    onWarning({ message, raw, offset });
  } catch {
    // ignored
  }
}

function inUnit(v: number): boolean {
  return Number.isFinite(v) && v >= -1e-9 && v <= 1 + 1e-9;
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

export interface BoxInput {
  syntax: GroundingSyntaxName;
  frame: ImageFrame;
  /** fractions of the frame */
  values: readonly number[];
  raw: string;
  offset: number;
  label?: string | undefined;
}

/** A checked box match: 4 fractions in [0, 1] with x1 <= x2 and y1 <= y2, or null (with a warning). */
export function boxMatch(input: BoxInput, context: SyntaxContext): SyntaxBoxMatch | null {
  const [x1, y1, x2, y2] = input.values;
  if (input.values.length !== 4 || x1 === undefined || y1 === undefined || x2 === undefined || y2 === undefined) {
    warn(context.onWarning, `malformed ${input.syntax} box: expected 4 numbers`, input.raw, input.offset);
    return null;
  }
  if (![x1, y1, x2, y2].every(inUnit)) {
    warn(context.onWarning, `malformed ${input.syntax} box: a coordinate is out of range`, input.raw, input.offset);
    return null;
  }
  if (x1 > x2 || y1 > y2) {
    warn(context.onWarning, `malformed ${input.syntax} box: the end comes before the start`, input.raw, input.offset);
    return null;
  }
  const label = input.label?.trim();
  return {
    kind: 'box',
    syntax: input.syntax,
    frame: input.frame,
    box: { x1: clamp01(x1), y1: clamp01(y1), x2: clamp01(x2), y2: clamp01(y2) },
    raw: input.raw,
    offset: input.offset,
    end: input.offset + input.raw.length,
    ...(label ? { label } : {}),
  };
}

export interface SpanInput {
  syntax: GroundingSyntaxName;
  start: number;
  end: number;
  raw: string;
  offset: number;
  label?: string | undefined;
}

/** A checked span match (fractions of the duration, start <= end), or null (with a warning). */
export function spanMatch(input: SpanInput, context: SyntaxContext): SyntaxSpanMatch | null {
  if (!inUnit(input.start) || !inUnit(input.end)) {
    warn(context.onWarning, `malformed ${input.syntax} span: outside the video`, input.raw, input.offset);
    return null;
  }
  if (input.start > input.end) {
    warn(context.onWarning, `malformed ${input.syntax} span: the end comes before the start`, input.raw, input.offset);
    return null;
  }
  const label = input.label?.trim();
  return {
    kind: 'span',
    syntax: input.syntax,
    span: { start: clamp01(input.start), end: clamp01(input.end) },
    raw: input.raw,
    offset: input.offset,
    end: input.offset + input.raw.length,
    ...(label ? { label } : {}),
  };
}

/** Runs a global regex over `text` and hands each match to `read`, collecting the non-null results. */
export function eachMatch<T>(text: string, pattern: RegExp, read: (m: RegExpMatchArray, index: number) => T | null): T[] {
  const out: T[] = [];
  for (const m of text.matchAll(pattern)) {
    const found = read(m, m.index ?? 0);
    if (found !== null) out.push(found);
  }
  return out;
}

/** The noun phrase before `offset` (since `from`), as LEGO's labels are read. */
export function proseLabel(text: string, offset: number, from: number): string | undefined {
  return labelBefore(text, offset, from);
}

/** Strict non-negative decimal number, or NaN. */
export function num(text: string | undefined): number {
  if (text === undefined) return Number.NaN;
  const t = text.trim();
  return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(t) ? Number(t) : Number.NaN;
}
