import { findJsonBoxes } from './json-boxes';
import type { GroundingSyntax, SyntaxContext, SyntaxMatch } from './types';

const SCALE = 1000;

/**
 * Gemini: `{"box_2d": [ymin, xmin, ymax, xmax], "label": "dog"}` (a ```json list) — **y first**, each
 * normalised to 0–1000 of the image as sent, whatever its aspect ratio: a plain-resize frame.
 */
export const geminiSyntax: GroundingSyntax = {
  name: 'gemini',
  frame: 'plain-resize',
  detect: (text) => /"box_2d"\s*:/.test(text),
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    return findJsonBoxes(text, context, {
      syntax: 'gemini',
      key: 'box_2d',
      toFractions: ([ymin, xmin, ymax, xmax]) => [xmin! / SCALE, ymin! / SCALE, xmax! / SCALE, ymax! / SCALE],
    });
  },
};
