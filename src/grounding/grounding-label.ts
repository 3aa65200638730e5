/**
 * The words that name a box or span: the noun phrase just before it in the same clause.
 * "The red star is at [..]" -> "red star"; "a blue circle [..]" -> "blue circle";
 * "The blue circle left of the red star is at [..]" -> "blue circle"; "It is at [..]" -> none.
 * A heuristic for display (legends, "box 2 = red star"); it never throws and returns undefined when
 * the words do not name anything.
 */

/** Words between a name and its box that are not part of the name ("is at", "is visible during"). */
const TRAILING = new Set([
  'at', 'is', 'are', 'was', 'were', 'be', 'in', 'inside', 'within', 'located', 'positioned', 'placed', 'found',
  'seen', 'shown', 'visible', 'appears', 'appear', 'during', 'from', 'between', 'on', 'screen', 'region',
  'box', 'area', 'around', 'here', 'there', 'of', 'coordinates', 'position', 'its', 'the',
]);
const DETERMINERS = new Set(['the', 'a', 'an', 'this', 'that', 'another']);
/** Where a name ends: verbs, prepositions and relations that follow the head noun. */
const CUT = new Set([
  'is', 'are', 'was', 'were', 'at', 'of', 'in', 'on', 'left', 'right', 'above', 'below', 'near', 'next', 'with',
  'moves', 'moving', 'stays', 'turns', 'appears', 'during', 'which', 'that', 'to', 'from', 'and', 'or', 'but',
  'between', 'inside', 'within', 'under', 'over', 'behind', 'beside', 'comes', 'come', 'makes', 'make', 'sounds',
]);
/** Leading words of a clause without a determiner ("There is 1 red star:"). */
const FILLER = new Set(['there', 'is', 'are', 'yes', 'no', 'and', 'or', 'also', 'here', 'we', 'see', 'can', 'i', 'you', 'find']);
const NOT_A_NAME = new Set([
  'it', 'they', 'them', 'this', 'that', 'these', 'those', 'one', 'ones', 'what', 'which', 'where', 'who', 'its',
  'he', 'she', 'something', 'anything', 'object', 'sound', 'noise',
]);
const MAX_WORDS = 4;

const WORD = /[A-Za-z][A-Za-z'-]*|\d+/g;
/** Clause boundaries; a dot only when it is not a decimal point. */
const BOUNDARY = /[!?;:,\n()]|\.(?!\d)/g;

function words(text: string): string[] {
  return text.match(WORD) ?? [];
}

/** The clauses of `context`, with the punctuation that ended each one. */
function clauses(context: string): { text: string; end: string }[] {
  const out: { text: string; end: string }[] = [];
  let last = 0;
  for (const m of context.matchAll(BOUNDARY)) {
    out.push({ text: context.slice(last, m.index), end: m[0] });
    last = m.index + m[0].length;
  }
  out.push({ text: context.slice(last), end: '' });
  return out;
}

/**
 * The clause's subject when it names something ("The red star is at"), else the noun phrase after its
 * last determiner ("The sound comes from the red star at", "It comes from the red star at").
 */
function nameIn(clause: string[]): string | undefined {
  const w = [...clause];
  while (w.length > 0 && TRAILING.has(w[w.length - 1]!.toLowerCase())) w.pop();
  const subject = nameFrom(w, w.findIndex((x) => DETERMINERS.has(x.toLowerCase())));
  if (subject !== undefined) return subject;
  for (let i = w.length - 1; i > 0; i -= 1) {
    if (DETERMINERS.has(w[i]!.toLowerCase())) return nameFrom(w, i);
  }
  return undefined;
}

function nameFrom(w: string[], determiner: number): string | undefined {
  let start = determiner;
  if (start >= 0) {
    start += 1;
  } else {
    start = 0;
    while (start < w.length && (FILLER.has(w[start]!.toLowerCase()) || /^\d+$/.test(w[start]!))) start += 1;
  }
  const name: string[] = [];
  for (let i = start; i < w.length && name.length < MAX_WORDS; i += 1) {
    const x = w[i]!;
    if (CUT.has(x.toLowerCase())) break;
    name.push(x);
  }
  if (name.length === 0) return undefined;
  if (name.length === 1 && NOT_A_NAME.has(name[0]!.toLowerCase())) return undefined;
  return name.join(' ');
}

/**
 * The label of a box/span that starts at `offset` in `text`. Only text from `from` on is considered
 * (pass the end of the previous box, so that one box's name is not reused for the next).
 */
export function labelBefore(text: string, offset: number, from = 0): string | undefined {
  const context = text.slice(Math.max(0, from), Math.max(0, offset));
  const cs = clauses(context);
  // the clause that ends at the box; when it is empty and the previous one ended with ':' (a list
  // intro, "There is 1 red star: [..]"), the name is in that one
  for (let i = cs.length - 1; i >= 0; i -= 1) {
    const c = cs[i]!;
    const w = words(c.text);
    if (w.length > 0) return nameIn(w);
    if (i === cs.length - 1) continue;
    if (c.end !== ':') return undefined;
  }
  return undefined;
}
