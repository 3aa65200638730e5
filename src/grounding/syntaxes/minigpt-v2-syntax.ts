import { boxMatch, proseLabel } from './syntax-helpers';
import type { GroundingSyntax, SyntaxContext, SyntaxMatch } from './types';

const BOX = /\{\s*<(\d{1,3})>\s*<(\d{1,3})>\s*<(\d{1,3})>\s*<(\d{1,3})>\s*\}/g;
const PHRASE = /<p>([\s\S]*?)<\/p>\s*$/;

/**
 * MiniGPT-v2: `<p>a dog</p> {<12><34><56><78>}` — integers 0–100 of the image plainly resized to
 * 448×448; several boxes of one phrase are joined by `<delim>`. The label is the `<p>` phrase before it.
 */
export const minigptV2Syntax: GroundingSyntax = {
  name: 'minigpt-v2',
  frame: 'plain-resize',
  detect: (text) => /\{\s*<\d{1,3}>\s*<\d{1,3}>/.test(text),
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    const out: SyntaxMatch[] = [];
    let previous = 0;
    let lastLabel: string | undefined;
    for (const m of text.matchAll(BOX)) {
      const offset = m.index ?? 0;
      const between = text.slice(previous, offset);
      const phrase = PHRASE.exec(between);
      const continued = previous > 0 && /^\s*<delim>\s*$/.test(between);
      const label = phrase?.[1] ?? (continued ? lastLabel : proseLabel(text, offset, previous));
      const values = m.slice(1, 5).map((v) => Number(v) / 100);
      const found = boxMatch({ syntax: 'minigpt-v2', frame: 'plain-resize', values, raw: m[0], offset, label }, context);
      // `<p>…</p>` right before the box, or the `<delim>` joining it to the previous one, is part of its markup
      if (found && phrase !== null) out.push({ ...found, textStart: previous + phrase.index, inlineLabel: true });
      else if (found && continued) out.push({ ...found, textStart: previous });
      else if (found) out.push(found);
      lastLabel = label;
      previous = offset + m[0].length;
    }
    return out;
  },
};
