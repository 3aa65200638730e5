import { boxMatch, eachMatch, proseLabel } from './syntax-helpers';
import type { GroundingSyntax, SyntaxBoxMatch, SyntaxContext, SyntaxMatch } from './types';

/** not a JSON array value (`"bbox_2d": [..]`) */
const BOX = /(?<![:"]\s*)\[\s*(\d{1,4})\s*,\s*(\d{1,4})\s*,\s*(\d{1,4})\s*,\s*(\d{1,4})\s*\]/g;

/** Ferret's coordinate vocabulary: integers 0–999, value / 1000 × side (`VOCAB_IMAGE_W = 1000`). */
const FERRET_BINS = 1000;

/**
 * Ferret: `the cat [120, 340, 560, 780]`, integers 0–999 of the image **plainly resized** to a square
 * (no padding), so x is a fraction of the original width and y of its height.
 */
export const ferretSyntax: GroundingSyntax = {
  name: 'ferret',
  frame: 'plain-resize',
  detect: (text) => [...text.matchAll(BOX)].some((m) => m.slice(1, 5).some((v) => Number(v) > 1)),
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    let previous = 0;
    return eachMatch(text, BOX, (m, offset): SyntaxBoxMatch | null => {
      const ints = m.slice(1, 5).map(Number);
      if (ints.every((v) => v <= 1)) return null; // [0, 0, 1, 1] is LEGO's, not Ferret's
      if (ints.some((v) => v >= FERRET_BINS)) {
        return boxMatch({ syntax: 'ferret', frame: 'plain-resize', values: [], raw: m[0], offset }, context);
      }
      const found = boxMatch(
        { syntax: 'ferret', frame: 'plain-resize', values: ints.map((v) => v / FERRET_BINS), raw: m[0], offset, label: proseLabel(text, offset, previous) },
        context,
      );
      if (found) previous = found.end;
      return found;
    });
  },
};
