/**
 * Regions named in words ("zoom into the left one", "what colour is the top box?", "the one on the
 * right", "the second span", "zoom into the heart", "compare them") resolved against what this
 * conversation has already shown on its current media, and written back as numbers ("box 1") so that
 * the numbered path (reference-parser, reference-resolver) does the rest: the zoom crop, the region
 * syntax sent to the model, compare. Only the media being talked about is searched; words that name
 * nothing shown (a fresh image, "the left one" on a video) are left as they are, for the model.
 *
 * - position and size ("the left one", "the top-right box", "the one in the middle", "the biggest
 *   one") and order ("the first one", "the last span") pick among the regions of the latest answer on
 *   that media that showed two or more of them (else among all of them there); with a word of their
 *   labels instead of "one" ("the left star", "the star on the right") among those that have it; "the
 *   other one" is the one of that set the previous question did not name;
 * - after "zoom into" and "compare" also a region's label ("zoom into the pink star", "compare the heart
 *   and the star": the latest region whose label has those words) and pronouns ("zoom into it", "zoom
 *   in", "compare them": the latest answer's regions).
 * A choice that words cannot make (two stars, two boxes as far left) is asked back, never guessed.
 */

import { modelBoxToPixels } from '../grounding/coordinate-frames';
import { formatBox, formatSpan } from '../grounding/lego-format';
import type { PixelBox } from '../grounding/types';
import { findDrawnRegions } from './drawn-region';
import { describeRegion } from './memory-summary';
import type { ConversationRecord, MediaContext, Region } from './record';
import { parseReferences } from './reference-parser';

/** One phrase of the text taken to name regions: shown to the person ("“the left one” is box 1 (pink heart)"). */
export interface NamedReference {
  /** the person's words, as written */
  words: string;
  regions: Region[];
}

export type WordReferences =
  | { status: 'none' }
  /** `text` with each phrase written as numbers ("zoom into box 1") */
  | { status: 'named'; text: string; named: NamedReference[] }
  /** the words fit several regions, or none of those shown: `message` asks which, politely */
  | { status: 'unclear'; message: string };

type Kind = 'box' | 'span';

type Criterion =
  | { type: 'side'; axis: 'x' | 'y'; sign: 1 | -1 }
  | { type: 'corner'; sx: 1 | -1; sy: 1 | -1 }
  | { type: 'middle' }
  | { type: 'size'; sign: 1 | -1 }
  | { type: 'order'; index: number }
  /** "the other one": the one of the set the previous question did not name */
  | { type: 'other' };

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

/** position, size and order words, most specific first (a regex alternation tries them in order) */
const ADJECTIVE = [
  '(?:top|upper|bottom|lower)[- ]?(?:left|right)(?:[- ]?hand)?',
  'left(?:[- ]?(?:most|hand))?',
  'right(?:[- ]?(?:most|hand))?',
  'top(?:[- ]?most)?',
  'upper(?:most)?',
  'highest',
  'bottom(?:[- ]?most)?',
  'lower',
  'lowest',
  'middle',
  'cent(?:re|er)',
  'central',
  'biggest', 'largest', 'bigger', 'larger', 'big', 'large', 'longest', 'longer',
  'smallest', 'smaller', 'small', 'tiniest', 'tiny', 'little', 'shortest', 'shorter',
  ...ORDINALS,
  'last', 'final', '1st', '2nd', '3rd', '(?:[4-9]|10)th', 'other',
].join('|');
/** a place, after "the one on/at/in the" */
const PLACE = '(?:top|upper|bottom|lower)[- ]?(?:left|right)|left|right|top|bottom|middle|cent(?:re|er)';
const NOUN = 'one|box|region|shape|object|thing|item|span|segment|part';
const BOX_NOUNS = new Set(['box', 'shape', 'object']);
const SPAN_NOUNS = new Set(['span', 'segment']);

/** "the" and a noun, place, size or order word: what the position phrases need before they run */
const MAY_PLACE = new RegExp(`\\bthe\\s+(?:${NOUN}|left|right|top|upper|highest|bottom|lower|lowest|middle|cent|central|big|larg|small|tin|little|long|short|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final|other|\\d)`, 'i');
/** Every phrase below needs a verb or one of those. */
const MAY_NAME = new RegExp(`zoom|compare|${MAY_PLACE.source}`, 'i');

const ZOOM_VERB = String.raw`\bzoom(?:\s+in)?(?:\s+(?:into|onto|on|to|at))?\s+`;
const COMPARE_VERB = String.raw`\bcompare\s+`;
const COMPARE_SEPARATOR = /^(?:\s*,\s*(?:(?:and|with)\s+)?|\s+(?:and|with|to|vs\.?|versus|against)\s+|\s*&\s*)/i;

function criterionOf(adjective: string): Criterion | null {
  const word = adjective.toLowerCase().replace(/[- ]/g, '').replace(/(?:hand|most)$/, '');
  const corner = /^(top|upper|bottom|lower)(left|right)$/.exec(word);
  if (corner) return { type: 'corner', sx: corner[2] === 'left' ? -1 : 1, sy: corner[1] === 'top' || corner[1] === 'upper' ? -1 : 1 };
  if (word === 'left') return { type: 'side', axis: 'x', sign: -1 };
  if (word === 'right') return { type: 'side', axis: 'x', sign: 1 };
  if (['top', 'upper', 'highest'].includes(word)) return { type: 'side', axis: 'y', sign: -1 };
  if (['bottom', 'lower', 'lowest'].includes(word)) return { type: 'side', axis: 'y', sign: 1 };
  if (['middle', 'centre', 'center', 'central'].includes(word)) return { type: 'middle' };
  if (['biggest', 'bigger', 'big', 'largest', 'larger', 'large', 'longest', 'longer'].includes(word)) return { type: 'size', sign: 1 };
  if (['smallest', 'smaller', 'small', 'tiniest', 'tiny', 'little', 'shortest', 'shorter'].includes(word)) return { type: 'size', sign: -1 };
  if (word === 'last' || word === 'final') return { type: 'order', index: -1 };
  if (word === 'other') return { type: 'other' };
  const ordinal = ORDINALS.indexOf(word);
  if (ordinal >= 0) return { type: 'order', index: ordinal + 1 };
  const numeric = /^(\d+)(?:st|nd|rd|th)$/.exec(word);
  if (numeric) return { type: 'order', index: Number(numeric[1]) };
  return null;
}

/** What the words call it: "box"/"shape" a box, "span"/"segment" a span, "one" whatever the media shows. */
function kindOf(noun: string | undefined, media: MediaContext): Kind {
  const word = (noun ?? 'one').toLowerCase();
  if (BOX_NOUNS.has(word)) return 'box';
  if (SPAN_NOUNS.has(word)) return 'span';
  return media.kind === 'video' ? 'span' : 'box';
}

interface Found {
  start: number;
  end: number;
  /** what is put in place of text.slice(start, end) once the regions are known */
  lead: string;
  pick: () => Region[] | string | null;
}

/** What the conversation has shown on one media: the latest answers' regions, and regions by their label. */
class Shown {
  constructor(
    private readonly record: ConversationRecord,
    private readonly media: MediaContext,
  ) {}

  private byNumber(numbers: readonly number[], kind: Kind): Region[] {
    return numbers
      .map((n) => this.record.regions.find((r) => r.number === n))
      .filter((r): r is Region => r !== undefined && r.kind === kind && r.mediaId === this.media.id);
  }

  /** the latest answer's regions of `kind` on this media, if it showed at least `least` of them */
  latestAnswer(kind: Kind, least: number): Region[] {
    for (let i = this.record.turns.length - 1; i >= 0; i -= 1) {
      const turn = this.record.turns[i]!;
      if (turn.role !== 'assistant' || turn.mediaId !== this.media.id) continue;
      const regions = this.byNumber(turn.regions, kind);
      if (regions.length >= least) return regions;
    }
    return [];
  }

  /** the regions the latest question on this media named (found in the prompt it was rewritten to) */
  lastAsked(): Set<number> {
    for (let i = this.record.turns.length - 1; i >= 0; i -= 1) {
      const turn = this.record.turns[i]!;
      if (turn.role !== 'user' || turn.mediaId !== this.media.id) continue;
      const prompt = turn.prompt ?? '';
      const named = this.record.regions.filter((r) => r.mediaId === this.media.id && prompt.includes(r.kind === 'box' ? formatBox(r.box) : formatSpan(r.span)));
      return new Set(named.map((r) => r.number));
    }
    return new Set();
  }

  /** the set "the left one" picks from: the latest answer showing two or more, else every one there is */
  set(kind: Kind): Region[] {
    const several = this.latestAnswer(kind, 2);
    if (several.length > 0) return several;
    return this.record.regions.filter((r) => r.kind === kind && r.mediaId === this.media.id);
  }

  /** regions whose label has all of `words`, from the latest answer that showed any */
  labelled(words: readonly string[], kind: Kind | null): Region[] {
    const wanted = words.map(stem).filter((w) => !GENERIC.has(w));
    if (wanted.length === 0) return [];
    const matching = this.record.regions.filter((r) => {
      if (r.mediaId !== this.media.id || r.label === null || (kind !== null && r.kind !== kind)) return false;
      const label = new Set(wordsOf(r.label).map(stem));
      return wanted.every((w) => label.has(w));
    });
    // from the latest answer that showed any of them (a region shown again keeps its number)
    for (let i = this.record.turns.length - 1; i >= 0; i -= 1) {
      const turn = this.record.turns[i]!;
      if (turn.role !== 'assistant' || turn.mediaId !== this.media.id) continue;
      const shown = matching.filter((r) => turn.regions.includes(r.number));
      if (shown.length > 0) return shown;
    }
    return matching;
  }
}

const GENERIC = new Set(['one', 'box', 'region', 'shape', 'object', 'thing', 'item', 'span', 'segment', 'part', 'the', 'a', 'an', 'that', 'this']);

function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** crude plural folding, enough for labels ("stars" → "star", "boxes" → "box", "glass" stays) */
function stem(word: string): string {
  if (word.length > 4 && word.endsWith('es') && /(?:x|ch|sh|ss)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** What the person's words were taken as, for the reply: "I took “the left one” as box 1 (pink heart)." */
export function describeNamed(reference: NamedReference): string {
  return `I took “${reference.words}” as ${joinWith(reference.regions.map(describeRegion), 'and')}.`;
}

function joinWith(parts: readonly string[], last: 'and' | 'or'): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} ${last} ${parts[parts.length - 1]}`;
}

function which(words: string, regions: readonly Region[]): string {
  const example = regions[0]!;
  return `“${words}” could be ${joinWith(regions.map(describeRegion), 'or')}. Which one? Say it with its number, e.g. “${example.kind} ${example.number}”.`;
}

/** Where a region sits, for "left", "top", "biggest": pixels of the image, or seconds/fractions of a span. */
function geometry(region: Region, media: MediaContext): { cx: number; cy: number; size: number } | null {
  if (region.kind === 'span') {
    const s = region.seconds ?? region.span;
    return { cx: (s.start + s.end) / 2, cy: 0, size: s.end - s.start };
  }
  const p: PixelBox | null = region.pixels ?? (media.size === null ? null : modelBoxToPixels(region.box, media.size));
  if (p === null) return null;
  return { cx: (p.x1 + p.x2) / 2, cy: (p.y1 + p.y2) / 2, size: Math.max(0, p.x2 - p.x1) * Math.max(0, p.y2 - p.y1) };
}

/** Pick by `criterion`: one region, a question back (a string) when two are too close to tell, or null. */
function pickBy(criterion: Criterion, words: string, kind: Kind, set: readonly Region[], media: MediaContext, shown: Shown): Region[] | string | null {
  if (set.length === 0) return null;
  if (criterion.type === 'other') {
    const asked = shown.lastAsked();
    if (asked.size === 0 || !set.some((r) => asked.has(r.number))) return null;
    const others = set.filter((r) => !asked.has(r.number));
    if (others.length === 0) return null;
    return others.length === 1 ? [others[0]!] : which(words, others);
  }
  if (criterion.type === 'order') {
    const index = criterion.index === -1 ? set.length : criterion.index;
    if (index > set.length) {
      return `There is no ${words.replace(/^the\s+/i, '')}: I showed ${set.length === 1 ? 'one' : set.length} ${set.length === 1 ? kind : `${kind}${kind === 'box' ? 'es' : 's'}`} there, ${joinWith(set.map(describeRegion), 'and')}. Say which with its number.`;
    }
    return [set[index - 1]!];
  }
  // position words mean nothing on a timeline ("the left span"); size does (the longest)
  if (kind === 'span' && criterion.type !== 'size') return null;
  if (set.length === 1) return [set[0]!];
  const placed = set.map((region) => ({ region, at: geometry(region, media) })).filter((p) => p.at !== null) as { region: Region; at: { cx: number; cy: number; size: number } }[];
  if (placed.length === 0) return null;
  const width = media.size?.width ?? 1;
  const height = media.size?.height ?? 1;
  let score: (at: { cx: number; cy: number; size: number }) => number;
  let tolerance: number;
  switch (criterion.type) {
    case 'side':
      // the highest score wins: "left" (sign −1) is the smallest x
      score = criterion.axis === 'x' ? (at) => criterion.sign * at.cx / width : (at) => criterion.sign * at.cy / height;
      tolerance = 0.03;
      break;
    case 'corner':
      score = (at) => criterion.sx * at.cx / width + criterion.sy * at.cy / height;
      tolerance = 0.03;
      break;
    case 'middle': {
      const mx = placed.reduce((sum, p) => sum + p.at.cx, 0) / placed.length;
      const my = placed.reduce((sum, p) => sum + p.at.cy, 0) / placed.length;
      score = (at) => -Math.hypot((at.cx - mx) / width, (at.cy - my) / height);
      tolerance = 0.03;
      break;
    }
    case 'size': {
      const largest = Math.max(...placed.map((p) => p.at.size), Number.MIN_VALUE);
      score = (at) => criterion.sign * at.size / largest;
      tolerance = 0.05;
      break;
    }
  }
  const ranked = placed.map((p) => ({ region: p.region, score: score(p.at) })).sort((a, b) => b.score - a.score);
  const close = ranked.filter((r) => ranked[0]!.score - r.score < tolerance);
  if (close.length > 1) return which(words, close.map((r) => r.region));
  return [ranked[0]!.region];
}

function overlaps(start: number, end: number, taken: readonly { start: number; end: number }[]): boolean {
  return taken.some((t) => start < t.end && t.start < end);
}

const JOINING = new Set(['and', 'with', 'to', 'vs', 'versus', 'against', 'or', 'please', 'then', 'by']);

/** "the pink star" after a verb: the longest run of up to 4 words from `at` that some label has. */
function labelPhrase(text: string, at: number, shown: Shown, kind: Kind | null): { end: number; words: string; regions: Region[] } | null {
  const rest = text.slice(at);
  const word = /\s*([\p{L}][\p{L}-]*)/uy;
  word.lastIndex = /^the\s+/i.exec(rest)?.[0].length ?? 0;
  const words: { word: string; end: number }[] = [];
  for (let i = 0; i < 4; i += 1) {
    const before = word.lastIndex;
    const m = word.exec(rest);
    if (m === null || (i === 0 && m.index + m[0].length - m[1]!.length !== before)) break;
    words.push({ word: m[1]!, end: word.lastIndex });
  }
  for (let n = words.length; n >= 1; n -= 1) {
    // a phrase does not end on a joining word ("the heart and")
    if (JOINING.has(words[n - 1]!.word.toLowerCase())) continue;
    const regions = shown.labelled(words.slice(0, n).map((w) => w.word), kind);
    if (regions.length === 0) continue;
    const end = words[n - 1]!.end;
    return { end: at + end, words: rest.slice(0, end), regions };
  }
  return null;
}

function numbers(regions: readonly Region[]): string {
  const kind = regions[0]!.kind;
  const list = regions.map((r) => String(r.number));
  if (list.length === 1) return `${kind} ${list[0]}`;
  return `${kind === 'box' ? 'boxes' : 'spans'} ${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

/**
 * What "the left ___" picks among: for "one", "box", "span"… the set `Shown.set` gives; for a word of a
 * label ("the left star") the regions of that set whose label has it, else the latest answer's that do.
 * Null when no region shown has that word (the phrase is then no reference: "the first time").
 */
function candidates(noun: string, shown: Shown, media: MediaContext): { kind: Kind; set: Region[] } | null {
  const word = noun.toLowerCase();
  if (NOUN.split('|').includes(word)) {
    const kind = kindOf(word, media);
    return { kind, set: shown.set(kind) };
  }
  const kind: Kind = media.kind === 'video' ? 'span' : 'box';
  const wanted = stem(word);
  const inSet = shown.set(kind).filter((r) => r.label !== null && wordsOf(r.label).map(stem).includes(wanted));
  const set = inSet.length > 0 ? inSet : shown.labelled([word], kind);
  return set.length === 0 ? null : { kind, set };
}

// the phrases' patterns, compiled once (and again by V8 after a major GC: each is searched only when its
// verb or "the" is in the text)
const ZOOM_PRONOUN = new RegExp(`${ZOOM_VERB}(it|them|both(?:\\s+of\\s+them)?|(?:these|those)(?:\\s+(?:ones|boxes|shapes|regions))?|(?:that|this)\\s+(?:one|box|shape|object|region)|(?:that|this)(?=\\s*(?:[.!?,]|and\\b|please\\b|$)))(?![\\p{L}])`, 'giu');
const ZOOM_IN_ALONE = /\bzoom\s+in\b(?=\s*(?:[.!?]|please\b|$))/gi;
const COMPARE_ALL = new RegExp(`${COMPARE_VERB}(them|these|those|both(?:\\s+of\\s+them)?|the\\s+two(?:\\s+(?:boxes|ones|shapes|spans|regions))?|(?:the|these|those)\\s+(?:boxes|shapes|spans|regions))(?=\\s*(?:[.!?,;:]|$|(?:by|and|for|in|on|please)\\b))`, 'gi');
// the noun is "one", "box"… or a word of a label (the models' labels are English): "the left star", "the
// star on the right"
const THE_ADJECTIVE_NOUN = new RegExp(`\\bthe\\s+(${ADJECTIVE})\\s+([a-z][a-z-]*)(?![a-z])`, 'gi');
const THE_NOUN_AT_PLACE = new RegExp(`\\bthe\\s+([a-z][a-z-]*)\\s+(?:on|at|in|to(?:wards)?)\\s+the\\s+(${PLACE})(?:\\s+(?:side|corner|edge))?(?![a-z])`, 'gi');
const ZOOM_AT = new RegExp(ZOOM_VERB, 'gi');
const COMPARE_AT = new RegExp(COMPARE_VERB, 'gi');

/**
 * Find the regions `text` names in words on the conversation's current media and write them as
 * numbers. `none` when nothing is named that way (or nothing has been shown to name).
 */
export function resolveWordReferences(text: string, record: ConversationRecord): WordReferences {
  // the patterns below are costly to compile again after a major GC (V8 drops rarely used regexp code):
  // only text with a verb or a noun they need is searched
  if (!MAY_NAME.test(text)) return { status: 'none' };
  const media = record.media.find((m) => m.id === record.activeMediaId);
  if (media === undefined || media.kind === 'audio') return { status: 'none' };
  const shown = new Shown(record, media);
  const hasZoom = /zoom/i.test(text);
  const hasCompare = /compare/i.test(text);
  const hasPlace = MAY_PLACE.test(text);
  // numbers and hand-drawn regions already say what they mean
  const taken: { start: number; end: number }[] = [
    ...(parseReferences(text)?.phrases ?? []).map((p) => ({ start: p.start, end: p.end })),
    ...findDrawnRegions(text).map((d) => ({ start: d.start, end: d.end })),
  ];
  const found: Found[] = [];
  const add = (item: Found): void => {
    if (overlaps(item.start, item.end, taken) || overlaps(item.start, item.end, found)) return;
    found.push(item);
  };

  // "zoom into it", "zoom in", "compare them"
  if (hasZoom) for (const m of text.matchAll(ZOOM_PRONOUN)) {
    const start = m.index + m[0].length - m[1]!.length;
    add({ start, end: m.index + m[0].length, lead: '', pick: () => pronoun(m[1]!, shown, media) });
  }
  if (hasZoom) for (const m of text.matchAll(ZOOM_IN_ALONE)) {
    const end = m.index + m[0].length;
    add({ start: end, end, lead: ' on ', pick: () => pronoun('it', shown, media, 'zoom in') });
  }
  if (hasCompare) for (const m of text.matchAll(COMPARE_ALL)) {
    const start = m.index + m[0].length - m[1]!.length;
    add({ start, end: m.index + m[0].length, lead: '', pick: () => all(m[1]!, shown, media) });
  }
  // "the left one", "the second span", "the top-right box", "the bigger star"
  if (hasPlace) for (const m of text.matchAll(THE_ADJECTIVE_NOUN)) {
    const criterion = criterionOf(m[1]!);
    if (criterion === null) continue;
    // "is this the right one?" asks whether it is correct, not about the rightmost box
    if (/^right$/i.test(m[1]!) && /\b(?:(?:this|that|it)\s+(?:is|was)|(?:is|was)\s+(?:this|that|it)|it's|that's)\s+$/i.test(text.slice(0, m.index))) continue;
    const among = candidates(m[2]!, shown, media);
    if (among === null) continue;
    add({ start: m.index, end: m.index + m[0].length, lead: '', pick: () => pickBy(criterion, m[0], among.kind, among.set, media, shown) });
  }
  // "the one on the left", "the box in the top right corner", "the star on the right"
  if (hasPlace) for (const m of text.matchAll(THE_NOUN_AT_PLACE)) {
    const criterion = criterionOf(m[2]!);
    if (criterion === null) continue;
    const among = candidates(m[1]!, shown, media);
    if (among === null) continue;
    add({ start: m.index, end: m.index + m[0].length, lead: '', pick: () => pickBy(criterion, m[0], among.kind, among.set, media, shown) });
  }
  // labels, right after the verbs: "zoom into the pink star", "compare the heart and the star"
  if (hasZoom) for (const m of text.matchAll(ZOOM_AT)) {
    const at = m.index + m[0].length;
    const phrase = labelPhrase(text, at, shown, 'box');
    if (phrase !== null) add({ start: at, end: phrase.end, lead: '', pick: () => oneOf(phrase.words, phrase.regions) });
  }
  if (hasCompare) for (const m of text.matchAll(COMPARE_AT)) {
    let at = m.index + m[0].length;
    for (let item = 0; item < 8; item += 1) {
      const phrase = labelPhrase(text, at, shown, null);
      const numbered = found.find((f) => f.start === at) ?? taken.find((t) => t.start <= at && at < t.end);
      let end: number;
      if (phrase !== null && numbered === undefined) {
        add({ start: at, end: phrase.end, lead: '', pick: () => oneOf(phrase.words, phrase.regions) });
        end = phrase.end;
      } else if (numbered !== undefined) {
        end = numbered.end;
      } else {
        break;
      }
      const separator = COMPARE_SEPARATOR.exec(text.slice(end));
      if (separator === null) break;
      at = end + separator[0].length;
    }
  }
  if (found.length === 0) return { status: 'none' };

  found.sort((a, b) => a.start - b.start);
  const named: NamedReference[] = [];
  let out = '';
  let at = 0;
  for (const item of found) {
    const picked = item.pick();
    if (typeof picked === 'string') return { status: 'unclear', message: picked };
    if (picked === null || picked.length === 0) continue;
    out += text.slice(at, item.start) + item.lead + numbers(picked);
    at = item.end;
    named.push({ words: item.start === item.end ? 'zoom in' : text.slice(item.start, item.end), regions: picked });
  }
  if (named.length === 0) return { status: 'none' };
  return { status: 'named', text: out + text.slice(at), named };
}

/** A label matched several regions of the same answer: ask which (unless they are one). */
function oneOf(words: string, regions: readonly Region[]): Region[] | string {
  return regions.length === 1 ? [regions[0]!] : which(words, regions);
}

/** "it", "that one", "them": the latest answer's boxes (the image's) or spans (the video's). */
function pronoun(word: string, shown: Shown, media: MediaContext, words = word): Region[] | string | null {
  const kind: Kind = media.kind === 'video' ? 'span' : 'box';
  const latest = shown.latestAnswer(kind, 1);
  if (latest.length === 0) return null;
  const plural = /^(?:them|these|those|both)/i.test(word);
  if (plural || latest.length === 1) return latest;
  return which(words, latest);
}

/** "compare them", "compare the two boxes": the latest answer's regions, when it showed two or more. */
function all(words: string, shown: Shown, media: MediaContext): Region[] | string | null {
  const kind: Kind = /span/i.test(words) ? 'span' : /box|shape/i.test(words) ? 'box' : media.kind === 'video' ? 'span' : 'box';
  const latest = shown.latestAnswer(kind, 2);
  if (latest.length === 0) return null;
  if (/\btwo\b/i.test(words) && latest.length !== 2) return which(words, latest);
  return latest;
}
