import { eachMatch, num, proseLabel, spanMatch, warn } from './syntax-helpers';
import type { GroundingSyntax, SyntaxContext, SyntaxMatch, SyntaxSpanMatch } from './types';

const SPAN = /(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*(?:seconds|secs?|s)\b/g;

/**
 * TimeChat: `0.0 - 6.9 seconds, a man opens the door.` — seconds from the start of the clip; turned
 * into fractions of `context.durationSec` (without a duration the span is skipped with a warning).
 * The label is the text after the span up to the end of its sentence (TimeChat writes time first), or
 * the words before it.
 */
export const timechatSyntax: GroundingSyntax = {
  name: 'timechat',
  frame: 'plain-resize',
  detect: (text) => /\d+(?:\.\d+)?\s*-\s*\d+(?:\.\d+)?\s*seconds\b/.test(text),
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    let previous = 0;
    const duration = context.durationSec;
    return eachMatch(text, SPAN, (m, offset): SyntaxSpanMatch | null => {
      if (duration === undefined || !(duration > 0)) {
        warn(context.onWarning, 'timechat span: the video duration is unknown', m[0], offset);
        return null;
      }
      const end = offset + m[0].length;
      const after = /^\s*[,:]\s*([^.\n]+)([.\n]?)/.exec(text.slice(end));
      const label = after?.[1] ?? proseLabel(text, offset, previous);
      const found = spanMatch({ syntax: 'timechat', start: num(m[1]) / duration, end: num(m[2]) / duration, raw: m[0], offset, label }, context);
      previous = end;
      // the label reads up to the end of the sentence: settled once that is written
      const rest = text.slice(end);
      const settledAt = after === null ? (/^\s*[,:]?\s*$/.test(rest) ? Number.POSITIVE_INFINITY : end) : after[2] ? end + after[0].length - 1 : Number.POSITIVE_INFINITY;
      return found === null ? null : { ...found, settledAt };
    });
  },
};
