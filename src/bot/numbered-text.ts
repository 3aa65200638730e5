import { replaceRegions } from '../grounding/replace-regions';
import type { TextRegion } from '../grounding/replace-regions';

/** A region of an answer: where its markup sits in the text (from the engine's one parse) and its number. */
export interface NumberedRegion extends TextRegion {
  number: number;
}

const OPENERS: Readonly<Record<string, string>> = { '[': ']', '{': '}', '(': ')', '<': '>' };

/**
 * Where markup at the end of a growing answer begins — the outermost bracket or tag still open, or
 * complete markup right at the end — when it holds a digit (coordinates may be coming); else the length.
 * Only the last characters are looked at.
 */
function unfinishedMarkup(rest: string): number {
  const from = Math.max(0, rest.length - PENDING_WINDOW);
  const open: number[] = [];
  for (let i = from; i < rest.length; i += 1) {
    const c = rest[i]!;
    if (c in OPENERS && !(c === '<' && /\s/.test(rest[i + 1] ?? '<'))) open.push(i);
    else if (open.length > 0 && OPENERS[rest[open[open.length - 1]!]!] === c) open.pop();
    else if (c === '\n' && open.length > 0 && rest[open[0]!] === '(') open.length = 0;
  }
  let cut = rest.length;
  if (open.length > 0 && /\d/.test(rest.slice(open[0]!))) cut = open[0]!;
  const trailing = PENDING.exec(rest.slice(from, cut));
  if (trailing !== null && /\d/.test(trailing[0])) cut = from + trailing.index;
  return cut;
}

/** Complete markup right at the end (brackets, tags) whose region may not be reported yet. */
const PENDING = /(?:<[^<>\s]*>?|[[{(][^\]})]*[\]})]?)+\s*$/;
const PENDING_WINDOW = 240;

/**
 * The answer as people read it: each region's markup (`[0.120, 0.340, 0.560, 0.780]`, `{0.10, 0.35}`,
 * `<ref>the dog</ref><box>(120,340),(560,780)</box>`, `<loc_52>…`) replaced by its region number (`[1]`),
 * the words its markup held kept in front (`the dog [1]`). The ranges come from the parse that found the
 * regions (the engine's), whatever the syntax: the text is never parsed again. With `partial`, the text
 * is still growing: the text from `pendingFrom` on (markup the parse may still turn into a region) is
 * held back — or, when the engine does not say, markup at the end.
 */
export function numberRegions(
  text: string,
  regions: readonly NumberedRegion[],
  options: { partial?: boolean; /** with `partial`: the engine's parse says markup may still become a region from here on */ pendingFrom?: number } = {},
): string {
  const replaced = replaceRegions(text, regions, (region) => `[${region.number}]`);
  const out = replaced.head;
  const at = text.length - replaced.rest.length;
  let rest = replaced.rest;
  if (options.partial === true) {
    // the engine's parse knows what is pending; markup it has not recognised yet (an unclosed group) is held back too
    if (options.pendingFrom !== undefined) rest = rest.slice(0, Math.max(0, options.pendingFrom - at));
    rest = rest.slice(0, unfinishedMarkup(rest));
  }
  const whole = (out + rest).replace(/\[\[(\d+)\]\]/g, '[$1]');
  return options.partial === true ? whole.replace(/[ \t]+$/g, '') : whole;
}
