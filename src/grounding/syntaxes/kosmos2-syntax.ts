import { boxMatch, proseLabel } from './syntax-helpers';
import type { GroundingSyntax, SyntaxContext, SyntaxMatch } from './types';

const PAIR = /<patch_index_(\d{4})>\s*<patch_index_(\d{4})>/g;
const OBJECT = /<object>([\s\S]*?)<\/object>/g;
const PHRASE = /<phrase>([\s\S]*?)<\/phrase>\s*$/;
/** Kosmos-2 quantises the image into a 32×32 grid of patches. */
const GRID = 32;

/**
 * A pair of patch indices to a box, as transformers' Kosmos-2 processor does (`patch_index_to_coordinate`):
 * the box spans from the upper-left patch to the lower-right one; when they share a row or column the
 * whole patches are covered, otherwise the box runs between the patch centres.
 */
export function kosmosPatchBox(ul: number, lr: number): [number, number, number, number] {
  const cell = 1 / GRID;
  const ulX = ul % GRID;
  const ulY = Math.floor(ul / GRID);
  const lrX = lr % GRID;
  const lrY = Math.floor(lr / GRID);
  if (ul === lr || ulX === lrX || ulY === lrY) {
    return [ulX * cell, ulY * cell, lrX * cell + cell, lrY * cell + cell];
  }
  return [ulX * cell + cell / 2, ulY * cell + cell / 2, lrX * cell + cell / 2, lrY * cell + cell / 2];
}

/**
 * Kosmos-2: `<phrase>a snowman</phrase><object><patch_index_0044><patch_index_0863></object>` — pairs
 * of patch indices (upper-left, lower-right) on a 32×32 grid of the image plainly resized to 224×224;
 * several boxes of one phrase are separated by `</delimiter_of_multi_objects/>` inside one `<object>`.
 */
export const kosmos2Syntax: GroundingSyntax = {
  name: 'kosmos-2',
  frame: 'plain-resize',
  detect: (text) => /<patch_index_\d{4}>/.test(text),
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    const out: SyntaxMatch[] = [];
    let previous = 0;
    for (const obj of text.matchAll(OBJECT)) {
      const objAt = obj.index ?? 0;
      const phrase = PHRASE.exec(text.slice(previous, objAt));
      const label = phrase?.[1] ?? proseLabel(text, objAt, previous);
      const inner = obj[1] ?? '';
      const innerAt = objAt + '<object>'.length;
      const objEnd = objAt + obj[0].length;
      // the markup of the object's boxes: `<phrase>…</phrase><object>` with the first, delimiters with the next, `</object>` with the last
      const found: SyntaxMatch[] = [];
      for (const m of inner.matchAll(PAIR)) {
        const ul = Number(m[1]);
        const lr = Number(m[2]);
        const offset = innerAt + (m.index ?? 0);
        const values = ul >= GRID * GRID || lr >= GRID * GRID ? [Number.NaN, 0, 0, 0] : kosmosPatchBox(ul, lr);
        const box = boxMatch({ syntax: 'kosmos-2', frame: 'plain-resize', values, raw: m[0], offset, label }, context);
        if (!box) continue;
        const before = found.at(-1);
        const textStart = before === undefined ? (phrase === null ? objAt : previous + phrase.index) : (before.textEnd ?? before.end);
        found.push({ ...box, textStart, ...(before === undefined && phrase !== null ? { inlineLabel: true } : {}) });
      }
      const last = found.at(-1);
      if (last !== undefined) found[found.length - 1] = { ...last, textEnd: objEnd };
      out.push(...found);
      previous = objEnd;
    }
    return out;
  },
};
