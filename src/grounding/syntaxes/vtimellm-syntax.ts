import { eachMatch, proseLabel, spanMatch } from './syntax-helpers';
import type { GroundingSyntax, SyntaxContext, SyntaxMatch, SyntaxSpanMatch } from './types';

const SPAN = /\bfrom\s+(\d{1,2})\s+to\s+(\d{1,2})\b/g;
/** VTimeLLM samples 100 frames uniformly; a time is a frame index 00–99. */
const FRAMES = 100;

/**
 * VTimeLLM: `A man opens the door from 08 to 37.` — two-digit indices of 100 uniformly sampled frames;
 * fraction = index / 100 (VTimeLLM's own conversion back to seconds is `index / 100 × duration`).
 */
export const vtimellmSyntax: GroundingSyntax = {
  name: 'vtimellm',
  frame: 'plain-resize',
  detect: (text) => /\bfrom\s+\d{2}\s+to\s+\d{2}\b/.test(text),
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    let previous = 0;
    return eachMatch(text, SPAN, (m, offset): SyntaxSpanMatch | null => {
      const label = proseLabel(text, offset, previous);
      const found = spanMatch(
        { syntax: 'vtimellm', start: Number(m[1]) / FRAMES, end: Number(m[2]) / FRAMES, raw: m[0], offset, label },
        context,
      );
      previous = offset + m[0].length;
      return found;
    });
  },
};
