import { labelBefore } from './grounding-label';
import { looksLikeCoordinates, parseCoordinateGroups } from './coordinate-list';
import type { GroundingMatch, GroundingWarningCallback } from './types';

/** The longest bracket content looked at; an opener without its closer within this is not a box. */
const MAX_CONTENT = 400;

interface Syntax {
  close: string;
  arity: number;
  kind: 'box' | 'span';
}

const SYNTAX: Readonly<Record<string, Syntax>> = {
  '[': { close: ']', arity: 4, kind: 'box' },
  '{': { close: '}', arity: 2, kind: 'span' },
};

export interface GroundingScannerOptions {
  /** told about anything that looked like coordinates but was not valid; it is then skipped */
  onWarning?: GroundingWarningCallback;
  /** whether to look for boxes `[..]` (default true) */
  boxes?: boolean;
  /** whether to look for spans `{..}` (default true) */
  spans?: boolean;
}

/**
 * Finds LEGO boxes `[x1, y1, x2, y2]` and spans `{start, end}` in text that arrives in pieces. Each one is
 * returned by the `push` that delivers its closing bracket, with its offset in the whole text and its
 * label. With or without spaces, adjacent, `;`-separated groups; anything malformed is skipped with a
 * warning. Never throws.
 */
export class GroundingScanner {
  private buffer = '';
  /** next index to examine */
  private pos = 0;
  /** end of the last match: labels are read from here on */
  private lastEnd = 0;
  private readonly onWarning: GroundingWarningCallback | undefined;
  private readonly openers: string;

  constructor(options: GroundingScannerOptions = {}) {
    this.onWarning = options.onWarning;
    this.openers = (options.boxes === false ? '' : '[') + (options.spans === false ? '' : '{');
  }

  /** All text pushed so far. */
  get text(): string {
    return this.buffer;
  }

  /** Where a box or span may still be completed by more text (an opener waiting for its closer); the text length when none. */
  get pendingFrom(): number {
    return Math.min(this.pos, this.buffer.length);
  }

  /** Adds text; returns the boxes and spans completed by it, in order. */
  push(delta: string): GroundingMatch[] {
    this.buffer += delta;
    return this.scan(false);
  }

  /** The text is complete: reports an unterminated box as a warning. Returns any last matches. */
  flush(): GroundingMatch[] {
    return this.scan(true);
  }

  private warn(message: string, raw: string, offset: number): void {
    if (this.onWarning === undefined) return;
    try {
      this.onWarning({ message, raw, offset });
    } catch {
      // a failing logger must not break parsing
    }
  }

  private scan(final: boolean): GroundingMatch[] {
    const out: GroundingMatch[] = [];
    const text = this.buffer;
    while (this.pos < text.length) {
      const open = this.nextOpener(text, this.pos);
      if (open < 0) {
        this.pos = text.length;
        break;
      }
      this.pos = open;
      const syntax = SYNTAX[text[open]!]!;
      const close = this.findClose(text, open, syntax.close);
      if (close === 'wait') {
        if (!final) break;
        const content = text.slice(open + 1);
        if (looksLikeCoordinates(content)) this.warn(`unterminated ${syntax.kind}`, text.slice(open), open);
        this.pos = open + 1;
        continue;
      }
      if (close === 'none') {
        this.pos = open + 1;
        continue;
      }
      const content = text.slice(open + 1, close);
      const raw = text.slice(open, close + 1);
      if (!looksLikeCoordinates(content)) {
        this.pos = open + 1;
        continue;
      }
      const groups = parseCoordinateGroups(content, syntax.arity);
      const single = groups.length === 1;
      const first = out.length;
      let found = 0;
      for (const g of groups) {
        const offset = single ? open : open + 1 + g.offset;
        const graw = single ? raw : g.raw;
        const v = g.values;
        if (v === null) {
          this.warn(`malformed ${syntax.kind}: ${g.problem ?? 'invalid'}`, graw, offset);
          continue;
        }
        const ordered = syntax.kind === 'box' ? v[0]! <= v[2]! && v[1]! <= v[3]! : v[0]! <= v[1]!;
        if (!ordered) {
          this.warn(`malformed ${syntax.kind}: the end comes before the start`, graw, offset);
          continue;
        }
        const label = found === 0 ? labelBefore(text, open, this.lastEnd) : undefined;
        const base = { raw: graw, offset, ...(label === undefined ? {} : { label }) };
        out.push(
          syntax.kind === 'box'
            ? { kind: 'box', box: { x1: v[0]!, y1: v[1]!, x2: v[2]!, y2: v[3]! }, ...base }
            : { kind: 'span', span: { start: v[0]!, end: v[1]! }, ...base },
        );
        found += 1;
      }
      if (found > 0 && !single) {
        // a `;`-separated group: the brackets and separators belong to the boxes' markup
        for (let k = first; k < out.length; k += 1) {
          const m = out[k]!;
          const before = out[k - 1];
          out[k] = { ...m, textStart: k === first ? open : before!.offset + before!.raw.length, ...(k === out.length - 1 ? { textEnd: close + 1 } : {}) };
        }
      }
      if (found > 0) {
        this.lastEnd = close + 1;
        this.pos = close + 1;
      } else {
        this.pos = open + 1;
      }
    }
    return out;
  }

  private nextOpener(text: string, from: number): number {
    for (let i = from; i < text.length; i += 1) {
      if (this.openers.includes(text[i]!)) return i;
    }
    return -1;
  }

  /** The index of the closer; 'wait' when more text may complete it; 'none' when it cannot be a box. */
  private findClose(text: string, open: number, closer: string): number | 'wait' | 'none' {
    const opener = text[open]!;
    const end = Math.min(text.length, open + 1 + MAX_CONTENT + 1);
    for (let i = open + 1; i < end; i += 1) {
      const c = text[i]!;
      if (c === closer) return i;
      if (c === opener || c === '\n') return 'none';
    }
    return end === text.length && text.length <= open + 1 + MAX_CONTENT ? 'wait' : 'none';
  }
}
