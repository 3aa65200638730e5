import { boxMatch, num, proseLabel } from './syntax-helpers';
import type { GroundingSyntax, SyntaxContext, SyntaxMatch } from './types';

const BOX = /<box>\s*\(\s*([\d.]+)\s*,\s*([\d.]+)\s*\)\s*,\s*\(\s*([\d.]+)\s*,\s*([\d.]+)\s*\)\s*<\/box>/g;
const REF = /<ref>([\s\S]*?)<\/ref>/g;

/**
 * Qwen-VL: `<ref>the dog</ref><box>(120,340),(560,780)</box>` — integers 0–1000 of the image plainly
 * resized to 448×448; one `<ref>` may be followed by several `<box>`es. The label is the `<ref>` text.
 */
export const qwenVlSyntax: GroundingSyntax = {
  name: 'qwen-vl',
  frame: 'plain-resize',
  detect: (text) => /<box>\s*\(\s*\d/.test(text),
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    return findRefBoxes(text, context, BOX, REF, 'qwen-vl');
  },
};

/** Shared by Qwen-VL and Qwen2-VL: boxes of 0–1000 integers, labelled by the nearest ref before them. */
export function findRefBoxes(text: string, context: SyntaxContext, box: RegExp, ref: RegExp, syntax: 'qwen-vl' | 'qwen2-vl'): SyntaxMatch[] {
  const refs = [...text.matchAll(ref)].map((m) => ({ at: m.index ?? 0, end: (m.index ?? 0) + m[0].length, label: m[1] ?? '' }));
  const out: SyntaxMatch[] = [];
  let previous = 0;
  for (const m of text.matchAll(box)) {
    const offset = m.index ?? 0;
    const values = m.slice(1, 5).map((v) => num(v) / 1000);
    // the ref whose text ends before this box and after the previous box; else the last one used
    const owner = [...refs].reverse().find((r) => r.end <= offset);
    const label = owner !== undefined ? owner.label : proseLabel(text, offset, previous);
    const found = boxMatch({ syntax, frame: 'plain-resize', values, raw: m[0], offset, label }, context);
    if (found) {
      // the ref right before the box is part of its markup: the text keeps the ref's words, not its tags
      const named = owner !== undefined && owner.at >= previous && /^\s*$/.test(text.slice(owner.end, offset));
      out.push(named ? { ...found, textStart: owner.at, inlineLabel: true } : found);
      previous = found.end;
    }
  }
  return out;
}
