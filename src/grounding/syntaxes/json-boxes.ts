import { boxMatch, warn } from './syntax-helpers';
import type { GroundingSyntaxName, SyntaxBoxMatch, SyntaxContext, SyntaxMatch } from './types';

/** The `{…}` object around `at` (balanced braces, strings skipped), or null. */
export function enclosingObject(text: string, at: number): { start: number; end: number } | null {
  let start = -1;
  for (let i = at; i >= 0; i -= 1) {
    if (text[i] === '{') {
      start = i;
      break;
    }
    if (text[i] === '}') return null;
  }
  if (start < 0) return null;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') depth += 1;
    else if (c === '}') {
      depth -= 1;
      if (depth === 0) return { start, end: i + 1 };
    }
  }
  return null;
}

export interface JsonBoxReader {
  syntax: GroundingSyntaxName;
  /** the key holding the 4 numbers, e.g. `bbox_2d` */
  key: string;
  /**
   * The 4 numbers as [x1, y1, x2, y2] fractions of the image, or a reason they cannot be read. Values
   * a little outside the frame are clamped by the caller; the order within each axis is fixed too.
   */
  toFractions(values: readonly number[], context: SyntaxContext): readonly number[] | string;
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

/**
 * Every `{"<key>": [a, b, c, d], "label": …}` JSON object in `text` (the families that answer in a
 * ```json list: Qwen2.5-VL, Qwen3-VL, Gemini), read with `reader`. Coordinates out of range are
 * clamped to the image (with a warning) and swapped ends put in order, as the families' own
 * post-processors do; objects that are not JSON or lack 4 numbers are skipped with a warning.
 */
export function findJsonBoxes(text: string, context: SyntaxContext, reader: JsonBoxReader): SyntaxBoxMatch[] {
  const key = new RegExp(`"${reader.key}"\\s*:`, 'g');
  const out: SyntaxBoxMatch[] = [];
  let after = 0;
  for (const m of text.matchAll(key)) {
    const at = m.index ?? 0;
    if (at < after) continue;
    const span = enclosingObject(text, at);
    if (span === null) {
      warn(context.onWarning, `${reader.syntax} box: unterminated JSON object`, text.slice(at, at + 60), at);
      continue;
    }
    const raw = text.slice(span.start, span.end);
    after = span.end;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      warn(context.onWarning, `${reader.syntax} box: not valid JSON`, raw, span.start);
      continue;
    }
    const obj = parsed as Record<string, unknown>;
    const box = obj[reader.key];
    if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      warn(context.onWarning, `${reader.syntax} box: ${reader.key} is not 4 numbers`, raw, span.start);
      continue;
    }
    const fractions = reader.toFractions(box as number[], context);
    if (typeof fractions === 'string') {
      warn(context.onWarning, `${reader.syntax} box: ${fractions}`, raw, span.start);
      continue;
    }
    if (fractions.some((v) => v < -1e-9 || v > 1 + 1e-9)) warn(context.onWarning, `${reader.syntax} box: a coordinate is out of range (clamped)`, raw, span.start);
    const [a, b, c, d] = fractions.map(clamp01) as [number, number, number, number];
    const values = [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
    const label = typeof obj.label === 'string' ? obj.label : undefined;
    const found = boxMatch({ syntax: reader.syntax, frame: 'plain-resize', values, raw, offset: span.start, label }, context);
    // the whole object is the markup; its label stays in the text
    if (found) out.push(label === undefined ? found : { ...found, inlineLabel: true });
  }
  return withinJsonBlocks(text, out) as SyntaxBoxMatch[];
}

const FENCE = /```(?:json)?\s*\[([\s\S]*?)\]\s*```/g;

/**
 * Boxes that fill a ```json list on their own take the list's markup with them: the fence and `[` with
 * the first, the `,` between with the next, `]` and the closing fence with the last — so the text that
 * is left reads "dog [1] cat [2]", not an empty JSON list.
 */
export function withinJsonBlocks(text: string, boxes: SyntaxMatch[]): SyntaxMatch[] {
  const out = boxes.map((b) => {
    // inside a fence that is still open: wait for its end (streaming), which may take the fence with the box
    const fences = text.slice(0, b.offset).split('```').length - 1;
    return fences % 2 === 1 && !text.slice(b.end).includes('```') ? { ...b, settledAt: Number.POSITIVE_INFINITY } : b;
  });
  for (const fence of text.matchAll(FENCE)) {
    const start = fence.index ?? 0;
    const end = start + fence[0].length;
    const inside = out.map((b, i) => ({ b, i })).filter(({ b }) => b.offset >= start && b.end <= end);
    if (inside.length === 0) continue;
    let rest = text.slice(start, end);
    for (const { b } of [...inside].reverse()) rest = rest.slice(0, b.offset - start) + rest.slice(b.end - start);
    if (!/^```(?:json)?\s*\[[\s,]*\]\s*```$/.test(rest)) continue;
    inside.forEach(({ b, i }, k) => {
      const textStart = k === 0 ? start : inside[k - 1]!.b.end;
      out[i] = { ...b, textStart, ...(k === inside.length - 1 ? { textEnd: end } : {}) };
    });
  }
  return out;
}
