import { eachMatch, proseLabel, spanMatch, warn } from './syntax-helpers';
import type { GroundingSyntax, SyntaxContext, SyntaxMatch, SyntaxSpanMatch } from './types';

/** a time: `h:mm:ss`, `mm:ss` (decimals allowed) or plain seconds, optionally in Qwen3-VL's `<…>` */
const T = String.raw`<?\s*(\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)`;
const UNIT = String.raw`(\s*(?:seconds?|secs?|s)\b)?\s*>?`;
const SPAN = new RegExp(String.raw`(?:\b(?:from|between)\s+)?${T}${UNIT}\s*(?:-|–|—|to|and|until|till)\s*${T}${UNIT}`, 'g');
const JSON_SPAN = /"start_time"\s*:\s*"?([\d:.]+)"?\s*,\s*"end_time"\s*:\s*"?([\d:.]+)"?/g;

/** Seconds of `mm:ss`, `h:mm:ss` or a plain number; NaN when it is neither. */
export function parseClockSeconds(text: string): number {
  const parts = text.split(':');
  if (parts.some((p) => !/^\d+(?:\.\d+)?$/.test(p))) return Number.NaN;
  return parts.reduce((total, p) => total * 60 + Number(p), 0);
}

/**
 * Time answers of the general video models (Qwen2.5-VL, Qwen3-VL, Gemini): `3.0 - 9.0 seconds`,
 * `from 3 to 9 s`, `between 00:03 and 00:09`, `<3.0 seconds> to <9.0 seconds>`, `1:02 – 1:10`, and JSON
 * `"start_time": 3.0, "end_time": 9.0` — seconds (or clock times) **of the real clip**, turned into
 * fractions of `context.durationSec`. A pair of plain numbers counts only with a seconds unit (so
 * "2 - 3 cats" is not a time). Times past the end are clamped to it with a warning.
 */
export const secondsSyntax: GroundingSyntax = {
  name: 'seconds',
  frame: 'plain-resize',
  detect: (text) => /\d:\d{2}\s*(?:-|–|to|and)\s*\d+:\d{2}/.test(text) || /"start_time"\s*:/.test(text),
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    const duration = context.durationSec;
    let previous = 0;
    const read = (a: string, b: string, raw: string, offset: number): SyntaxSpanMatch | null => {
      if (duration === undefined || !(duration > 0)) {
        warn(context.onWarning, 'time span: the video duration is unknown', raw, offset);
        return null;
      }
      const start = parseClockSeconds(a);
      const end = parseClockSeconds(b);
      if (!Number.isFinite(start) || !Number.isFinite(end)) {
        warn(context.onWarning, 'time span: not a time', raw, offset);
        return null;
      }
      if (start > duration + 0.5 || end > duration + 0.5) warn(context.onWarning, 'time span: past the end of the clip (clamped)', raw, offset);
      const s = Math.min(start, end, duration);
      const e = Math.min(Math.max(start, end), duration);
      const found = spanMatch({ syntax: 'seconds', start: s / duration, end: e / duration, raw, offset, label: proseLabel(text, offset, previous) }, context);
      previous = offset + raw.length;
      // while streaming, a time at the very end may still grow ("0:1" + "5", "3 s" + "econds")
      const rest = text.slice(offset + raw.length);
      const open = /^[\d:.]*\s*(?:s(?:e(?:c(?:o(?:n(?:d(?:s)?)?)?)?)?)?)?\s*>?"?$/.test(rest);
      return found === null ? null : { ...found, settledAt: open ? Number.POSITIVE_INFINITY : found.end };
    };
    const prose = eachMatch(text, SPAN, (m, offset) => {
      const clock = m[1]!.includes(':') || m[3]!.includes(':');
      if (!clock && m[2] === undefined && m[4] === undefined) return null;
      return read(m[1]!, m[3]!, m[0].trimEnd(), offset);
    });
    previous = 0;
    const json = eachMatch(text, JSON_SPAN, (m, offset) => read(m[1]!, m[2]!, m[0], offset));
    return [...prose, ...json].sort((x, y) => x.offset - y.offset);
  },
};
