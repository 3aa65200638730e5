import { parseBoxes } from '../parse-grounding';
import type { GroundingSyntax, SyntaxContext, SyntaxMatch } from './types';

/**
 * Shikra: `[0.102,0.340,0.560,0.910]`, 3-decimal fractions of the padded square (Shikra pads to a
 * square like LEGO), several boxes of one object separated by `;` inside one bracket:
 * `[0.102,0.340,0.560,0.910;0.600,0.300,0.900,0.880]`. No spans.
 */
export const shikraSyntax: GroundingSyntax = {
  name: 'shikra',
  frame: 'padded-square',
  detect: (text) => /\[\s*[01]\.\d{3},[01]\.\d{3},[01]\.\d{3},[01]\.\d{3}(?:;|\])/.test(text),
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    const options = context.onWarning === undefined ? {} : { onWarning: context.onWarning };
    return parseBoxes(text, options).map((m) => ({
      kind: 'box',
      syntax: 'shikra',
      frame: 'padded-square',
      box: m.box,
      raw: m.raw,
      offset: m.offset,
      end: m.offset + m.raw.length,
      ...(m.label === undefined ? {} : { label: m.label }),
      ...(m.textStart === undefined ? {} : { textStart: m.textStart }),
      ...(m.textEnd === undefined ? {} : { textEnd: m.textEnd }),
    }));
  },
};
