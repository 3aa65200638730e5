/**
 * Splits a long answer into messages of a platform's size (Discord 2,000 characters, Slack 3,000 per
 * section) at the most sensible boundary that fits: a paragraph, a line, a sentence, a word — never
 * inside a numbered reference like `[12]` nor an HTML entity like `&amp;` (Slack's escaping).
 * A code block is kept whole when it can be; one longer than a message is closed at a line break and
 * reopened (with its language) in the next message, so every message renders on its own.
 */
/** the limit when none is given (Discord's) */
const DEFAULT_LIMIT = 2000;

const CLOSE_FENCE = '\n```';

interface FenceState {
  open: boolean;
  /** the language tag of the open block ("ts" in ```ts) */
  lang: string;
}

function fenceAt(text: string, end: number): FenceState {
  let open = false;
  let lang = '';
  const fence = /```([^\n`]*)/g;
  for (let match = fence.exec(text); match !== null && match.index < end; match = fence.exec(text)) {
    if (match.index + 3 > end) break;
    open = !open;
    lang = open ? (match[1] ?? '').trim() : '';
  }
  return { open, lang };
}

function refRanges(text: string): [number, number][] {
  const out: [number, number][] = [];
  const ref = /\[\d+(?:\s*[,–-]\s*\d+)*\]|&(?:amp|lt|gt);/g;
  for (let match = ref.exec(text); match !== null; match = ref.exec(text)) out.push([match.index, match.index + match[0].length]);
  return out;
}

function insideRef(ranges: readonly [number, number][], at: number): boolean {
  return ranges.some(([start, end]) => start < at && at < end);
}

/** Cut positions (the head is text.slice(0, p)) of one kind of boundary, last first. */
function boundaries(text: string, pattern: RegExp, upTo: number): number[] {
  const out: number[] = [];
  const global = new RegExp(pattern.source, 'g');
  for (let match = global.exec(text); match !== null && match.index < upTo; match = global.exec(text)) {
    out.push(match.index + match[0].length);
    if (match[0].length === 0) global.lastIndex++;
  }
  return out.reverse();
}

interface Cut {
  at: number;
  fence: FenceState;
}

function chooseCut(body: string, limit: number, minAt: number): Cut {
  const refs = refRanges(body);
  const floor = Math.max(minAt, Math.floor(limit / 4));
  const kinds: { pattern: RegExp; min: number }[] = [
    { pattern: /\n[ \t]*\n\s*/, min: floor },
    { pattern: /\n/, min: floor },
    { pattern: /[.!?…。](?:["')\]]*)[ \t]+/, min: floor },
    { pattern: /[;:,][ \t]+/, min: floor },
    { pattern: /[ \t]+/, min: minAt },
  ];
  const fits = (at: number, fence: FenceState): boolean => (fence.open ? at + CLOSE_FENCE.length <= limit : at <= limit);
  // First choice: a boundary outside code blocks; second: a line break inside one.
  for (const { pattern, min } of kinds) {
    for (const at of boundaries(body, pattern, limit + 1)) {
      if (at < min || at > limit) continue;
      const fence = fenceAt(body, at);
      if (!fence.open && !insideRef(refs, at)) return { at, fence };
    }
  }
  for (const at of boundaries(body, /\n/, limit + 1)) {
    if (at < minAt) break;
    const fence = fenceAt(body, at);
    if (fence.open && fits(at, fence)) return { at, fence };
  }
  // No boundary at all: a hard cut, backed off out of a reference and a surrogate pair.
  let at = limit;
  let fence = fenceAt(body, at);
  if (fence.open) {
    at = limit - CLOSE_FENCE.length;
    fence = fenceAt(body, at);
  }
  while (at > minAt && insideRef(refs, at)) at--;
  const code = body.charCodeAt(at - 1);
  if (code >= 0xd800 && code <= 0xdbff) at--;
  return { at: Math.max(at, minAt), fence: fenceAt(body, Math.max(at, minAt)) };
}

/** `text` in pieces of at most `limit` characters (one piece when it fits). */
export function splitMessage(text: string, limit: number = DEFAULT_LIMIT): string[] {
  if (limit < 64) throw new RangeError('splitMessage needs a limit of at least 64 characters');
  const chunks: string[] = [];
  let reopen = '';
  let rest = text.trim();
  for (;;) {
    const body = reopen + rest;
    if (body.length <= limit) {
      if (body.trim() !== '') chunks.push(body);
      return chunks;
    }
    const { at, fence } = chooseCut(body, limit, reopen.length + 1);
    const head = fence.open ? body.slice(0, at).replace(/\n$/, '') + CLOSE_FENCE : body.slice(0, at).trimEnd();
    chunks.push(head);
    reopen = fence.open ? '```' + fence.lang + '\n' : '';
    rest = fence.open ? body.slice(at) : body.slice(at).trimStart();
  }
}
