import { boxMatch, eachMatch } from './syntax-helpers';
import type { GroundingSyntax, SyntaxBoxMatch, SyntaxContext, SyntaxMatch } from './types';

/** A label (any text without `<`) followed by one or more groups of four location tokens. */
const BOX = /<loc_(\d{1,4})><loc_(\d{1,4})><loc_(\d{1,4})><loc_(\d{1,4})>/g;
const BINS = 1000;

/**
 * Florence-2: `car<loc_52><loc_333><loc_932><loc_774>` — four of 1000 quantisation bins of the image
 * plainly resized to 768×768; a bin's centre is `(N + 0.5) / 1000` (its post-processor's dequantisation).
 * The label is the text between the previous box and this one (`<s>`/`</s>` removed).
 */
export const florence2Syntax: GroundingSyntax = {
  name: 'florence-2',
  frame: 'plain-resize',
  detect: (text) => /<loc_\d+>/.test(text),
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    let previous = 0;
    return eachMatch(text, BOX, (m, offset): SyntaxBoxMatch | null => {
      const bins = m.slice(1, 5).map(Number);
      const values = bins.some((b) => b >= BINS) ? [Number.NaN, 0, 0, 0] : bins.map((b) => (b + 0.5) / BINS);
      const label = text.slice(previous, offset).replace(/<\/?s>|<pad>/g, '').trim() || undefined;
      const found = boxMatch({ syntax: 'florence-2', frame: 'plain-resize', values, raw: m[0], offset, label }, context);
      // the label and the `<s>` tags around it are the box's markup: the text keeps the label's words
      const markup = found === null || label === undefined ? found : { ...found, textStart: previous, inlineLabel: true };
      previous = offset + m[0].length;
      return markup;
    });
  },
};
