import { boxMatch, warn } from './syntax-helpers';
import { DEFAULT_QWEN_RESIZE, qwenSmartResize } from './qwen-smart-resize';
import type { GroundingSyntax, SyntaxContext, SyntaxMatch } from './types';

const KEY = /"bbox_2d"\s*:/g;

/** The `{…}` object around `at` (balanced braces, strings skipped), or null. */
function enclosingObject(text: string, at: number): { start: number; end: number } | null {
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

/**
 * Qwen2.5-VL: JSON objects `{"bbox_2d": [x1, y1, x2, y2], "label": "dog"}` (usually a list in a
 * ```json block) in **absolute pixels of the image after the processor's resize** (`smart_resize`:
 * sides rounded to multiples of 28, area bounded), which keeps the aspect ratio: a plain-resize frame.
 *
 * Assumption (configurable through `context.qwenResize`): the resized size is `qwenResize.resizedSize`
 * when given, otherwise `smart_resize(context.imageSize)` with Qwen2.5-VL's default factor and pixel
 * bounds. Without either, the box cannot be read and is skipped with a warning.
 */
export const qwen25VlSyntax: GroundingSyntax = {
  name: 'qwen2.5-vl',
  frame: 'plain-resize',
  detect: (text) => /"bbox_2d"\s*:/.test(text),
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    const resize = { ...DEFAULT_QWEN_RESIZE, ...context.qwenResize };
    const resized = resize.resizedSize ?? (context.imageSize === undefined ? undefined : qwenSmartResize(context.imageSize, resize));
    const out: SyntaxMatch[] = [];
    let after = 0;
    for (const m of text.matchAll(KEY)) {
      const at = m.index ?? 0;
      if (at < after) continue;
      const span = enclosingObject(text, at);
      if (span === null) {
        warn(context.onWarning, 'qwen2.5-vl box: unterminated JSON object', text.slice(at, at + 60), at);
        continue;
      }
      const raw = text.slice(span.start, span.end);
      after = span.end;
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        warn(context.onWarning, 'qwen2.5-vl box: not valid JSON', raw, span.start);
        continue;
      }
      const obj = parsed as { bbox_2d?: unknown; label?: unknown };
      const bbox = obj.bbox_2d;
      if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        warn(context.onWarning, 'qwen2.5-vl box: bbox_2d is not 4 numbers', raw, span.start);
        continue;
      }
      if (resized === undefined) {
        warn(context.onWarning, 'qwen2.5-vl box: the resized image size is unknown', raw, span.start);
        continue;
      }
      const [x1, y1, x2, y2] = bbox as number[];
      const values = [x1! / resized.width, y1! / resized.height, x2! / resized.width, y2! / resized.height];
      const label = typeof obj.label === 'string' ? obj.label : undefined;
      const found = boxMatch({ syntax: 'qwen2.5-vl', frame: 'plain-resize', values, raw, offset: span.start, label }, context);
      // the whole object is the markup; its label stays in the text
      if (found) out.push(label === undefined ? found : { ...found, inlineLabel: true });
    }
    return withinJsonBlocks(text, out);
  },
};

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
