/**
 * Finds numbered-region references in what a person wrote: "what is in box 2?", "box #2",
 * "region 2", "[2]", "#2", "boxes 1 and 3", "zoom into 1", "zoom in on box 3", "compare 1 and 3",
 * "what happens in span 2?". Pure syntax: whether the regions exist is the resolver's business.
 * References in words ("the left one") are not recognised here: word-references.ts writes them as
 * numbers first, when they name regions the conversation has shown.
 * A bare number counts only after "zoom" or "compare" ("how many 2-door cars" has no reference).
 */

import { findDrawnRegions, maskDrawnRegions } from './drawn-region';

export type ReferenceKind = 'ask-region' | 'zoom' | 'compare' | 'ask-span';

/** What the words around a number said it was: "box 2" → box, "span 2" → span, "[2]" → region. */
export type ReferenceHint = 'box' | 'span' | 'region';

export interface ReferenceItem {
  number: number;
  hint: ReferenceHint;
}

/** One phrase of the text that names regions, with its place in the text. */
export interface ReferencePhrase {
  role: 'zoom' | 'compare' | 'mention';
  /** offsets in the text: text.slice(start, end) is the phrase */
  start: number;
  end: number;
  items: ReferenceItem[];
}

export interface ReferenceIntent {
  kind: ReferenceKind;
  /** region numbers in order of appearance, without repeats */
  refs: number[];
  /** the person's words with the reference phrases (and, for zoom/compare, the verb) taken out */
  rest: string;
  phrases: ReferencePhrase[];
  /** the text as given */
  text: string;
}

const NUMBER_WORDS = [
  'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty',
];
const WORDS = NUMBER_WORDS.join('|');
const KEYWORD = '(?:box(?:es)?|regions?|spans?|segments?)';
const NUMBER_PREFIX = '(?:(?:no\\.?|number|nr\\.?)\\s*)?(?:#\\s*|\\[\\s*)?';
/**
 * a number that may be a word: only right after a keyword or a verb. The patterns take any word there
 * and `itemsOf` keeps the number words: twenty alternatives in each pattern made them ~3× as costly to
 * compile, which V8 does again after each major GC (~15 ms a question).
 */
const NUM_WORDY = `${NUMBER_PREFIX}(?:\\d{1,4}|[a-z]+\\b)(?:\\s*\\])?`;
/** a number in digits only (continuations such as "box 1 and 3") */
const NUM_DIGITS = `${NUMBER_PREFIX}\\d{1,4}(?:\\s*\\])?`;
const LIST_SEPARATOR = '(?:\\s*,\\s*(?:(?:and|or)\\s+)?|\\s+(?:and|or)\\s+|\\s*&\\s*)';
const COMPARE_SEPARATOR = '(?:\\s*,\\s*(?:(?:and|with)\\s+)?|\\s+(?:and|with|to|vs\\.?|versus|against)\\s+|\\s*&\\s*)';
const ITEM_WORDY = `(?:${KEYWORD}\\s*)?${NUM_WORDY}`;
const ITEM_CONTINUATION = `(?:${KEYWORD}\\s*${NUM_WORDY}|${NUM_DIGITS})`;

interface Pattern {
  role: ReferencePhrase['role'];
  regex: RegExp;
  /** a cheap test the text must pass before `regex` runs (compiling it costs more than this) */
  needs: RegExp;
}

// In priority order: a phrase found earlier in this list wins an overlap.
function patterns(): Pattern[] {
  return [
    {
      role: 'zoom',
      regex: new RegExp(
        // after "the" a keyword: "zoom into the box 2", but "zoom into the one on the right" names no number
        `\\bzoom(?:\\s+in\\b)?(?:\\s+(?:into|onto|on|to|at)\\b)?(?:\\s+the\\s+${KEYWORD}\\s*${NUM_WORDY}|\\s*${ITEM_WORDY})(?:${LIST_SEPARATOR}${ITEM_CONTINUATION})*`,
        'gi',
      ),
      needs: /zoom/i,
    },
    {
      role: 'compare',
      regex: new RegExp(
        `\\bcompare\\s+(?:the\\s+)?${ITEM_WORDY}(?:${COMPARE_SEPARATOR}${ITEM_WORDY})+`,
        'gi',
      ),
      needs: /compare/i,
    },
    {
      role: 'mention',
      regex: new RegExp(`\\b${KEYWORD}\\s*${NUM_WORDY}(?:${LIST_SEPARATOR}${ITEM_CONTINUATION})*`, 'gi'),
      needs: /box|region|span|segment/i,
    },
    { role: 'mention', regex: /\[\s*\d{1,4}\s*\]/g, needs: /\[/ },
    { role: 'mention', regex: /(?<![\w#&])#\s*\d{1,4}\b/g, needs: /#/ },
  ];
}

const PATTERNS = patterns();

function hintOf(keyword: string): ReferenceHint {
  const word = keyword.toLowerCase();
  if (word.startsWith('box')) return 'box';
  if (word.startsWith('span') || word.startsWith('segment')) return 'span';
  return 'region';
}

function numberOf(token: string): number {
  const word = NUMBER_WORDS.indexOf(token.toLowerCase());
  return word >= 0 ? word + 1 : Number.parseInt(token, 10);
}

const ITEM_TOKEN = new RegExp(`\\b(${KEYWORD})|(\\d{1,4})|\\b(${WORDS})\\b`, 'gi');

/**
 * The numbers of one phrase, each with the nearest keyword before it as its hint, and where the last
 * one ends (with its "]"): a phrase matched with a word that is no number ("zoom into the left") is
 * cut there.
 */
function itemsOf(phrase: string): { items: ReferenceItem[]; end: number } {
  const items: ReferenceItem[] = [];
  let hint: ReferenceHint = 'region';
  let end = 0;
  for (const match of phrase.matchAll(ITEM_TOKEN)) {
    if (match[1] !== undefined) {
      hint = hintOf(match[1]);
      continue;
    }
    items.push({ number: numberOf(match[2] ?? match[3] ?? ''), hint });
    end = match.index + match[0].length;
    end += /^\s*\]/.exec(phrase.slice(end))?.[0].length ?? 0;
  }
  return { items, end };
}

function findPhrases(text: string): ReferencePhrase[] {
  const accepted: ReferencePhrase[] = [];
  for (const pattern of PATTERNS) {
    if (!pattern.needs.test(text)) continue;
    for (const match of text.matchAll(pattern.regex)) {
      const start = match.index;
      const { items, end: last } = itemsOf(match[0]);
      const end = start + last;
      if (items.length === 0) continue;
      if (accepted.some((p) => start < p.end && p.start < end)) continue;
      if (pattern.role === 'compare' && items.length < 2) continue;
      accepted.push({ role: pattern.role, start, end, items });
    }
  }
  return accepted.sort((a, b) => a.start - b.start);
}

const POLITE_PREFIX = /^(?:(?:please|pls|can you|could you|would you|will you|now|ok(?:ay)?|and|then|also)\b[\s,]*)+/i;
const POLITE_SUFFIX = /[\s,]*\b(?:please|pls|thanks|thank you)\s*([?.!]*)$/i;

function restOf(text: string, phrases: readonly ReferencePhrase[], verb: boolean): string {
  let rest = '';
  let at = 0;
  for (const phrase of phrases) {
    rest += `${text.slice(at, phrase.start)} `;
    at = phrase.end;
  }
  rest += text.slice(at);
  rest = rest.replace(/\s+/g, ' ').replace(/\s+([?.!,;:])/g, '$1').trim();
  rest = rest.replace(/^[\s,.;:!-]+/, '');
  if (verb) {
    rest = rest.replace(POLITE_PREFIX, '').replace(POLITE_SUFFIX, '$1');
    rest = rest.replace(/^[\s,.;:!?-]+/, '').trim();
    if (/^[?.!]*$/.test(rest)) rest = '';
  }
  return rest;
}

/** Every pattern needs one of these: a keyword, a verb, "[" or "#". */
const MAY_REFER = /box|region|span|segment|zoom|compare|\[|#/i;

/** The references in `text`, or null when it names no numbered region. */
export function parseReferences(text: string): ReferenceIntent | null {
  // most questions name no region: the patterns above are compiled again after each major GC (V8 drops
  // regexp code that is not used often, ~12 ms for these), so they run only on text that could match
  if (!MAY_REFER.test(text)) return null;
  // "the region 10,20,200,180" is a rectangle drawn by hand, not regions 10, 20, 200 and 180
  const phrases = findPhrases(maskDrawnRegions(text, findDrawnRegions(text)));
  if (phrases.length === 0) return null;
  const items = phrases.flatMap((p) => p.items);
  const refs = [...new Set(items.map((item) => item.number))];
  let kind: ReferenceKind;
  if (phrases.some((p) => p.role === 'zoom')) kind = 'zoom';
  else if (phrases.some((p) => p.role === 'compare')) kind = 'compare';
  else kind = items.every((item) => item.hint === 'span') ? 'ask-span' : 'ask-region';
  return { kind, refs, rest: restOf(text, phrases, kind === 'zoom' || kind === 'compare'), phrases, text };
}
