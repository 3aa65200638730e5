import { parseGrounding } from '../parse-grounding';
import type { GroundingSyntax, SyntaxContext, SyntaxMatch } from './types';

/**
 * LEGO: boxes `[0.112, 0.430, 0.251, 0.618]` as fractions of the centred padded square, spans
 * `{0.25, 0.60}` as fractions of the duration (the project's own scanner, see ../grounding-scanner.ts).
 */
export const legoSyntax: GroundingSyntax = {
  name: 'lego',
  frame: 'padded-square',
  detect: (text) => /\[\s*(?:0?\.\d+|[01](?:\.0*)?)\s*,\s*(?:0?\.\d+|[01](?:\.0*)?)\s*,/.test(text) || /\{\s*0?\.\d+\s*,\s*[01]?\.\d+\s*\}/.test(text),
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    const options = context.onWarning === undefined ? {} : { onWarning: context.onWarning };
    return parseGrounding(text, options).map((m): SyntaxMatch => {
      const label = m.label === undefined ? {} : { label: m.label };
      const markup = { ...(m.textStart === undefined ? {} : { textStart: m.textStart }), ...(m.textEnd === undefined ? {} : { textEnd: m.textEnd }) };
      const base = { syntax: 'lego' as const, raw: m.raw, offset: m.offset, end: m.offset + m.raw.length, ...label, ...markup };
      return m.kind === 'box' ? { kind: 'box', frame: 'padded-square', box: m.box, ...base } : { kind: 'span', span: m.span, ...base };
    });
  },
};
