import type { GroundingSyntaxChoice } from './syntax-registry';
import { findGrounding } from './syntax-registry';
import type { SyntaxContext, SyntaxMatch } from './types';

/**
 * Finds boxes and spans of any syntax in text that arrives in pieces. Each `push` re-reads the text so
 * far (answers are short) and returns the matches that are complete: those followed by at least one
 * more character, since a match at the very end might still grow ("from 08 to 3" + "7"). `flush`
 * returns the rest. Warnings are reported once, at `flush`. Never throws.
 */
export class SyntaxScanner {
  private buffer = '';
  /** matches that start before this were returned already */
  private emittedEnd = 0;
  private pending: number | undefined;

  constructor(
    private readonly choice: GroundingSyntaxChoice,
    private readonly context: SyntaxContext = {},
  ) {}

  get text(): string {
    return this.buffer;
  }

  /** Where the first match not returned yet begins (its markup); the text length when none. */
  get pendingFrom(): number {
    return this.pending ?? this.buffer.length;
  }

  push(delta: string): SyntaxMatch[] {
    this.buffer += delta;
    const { onWarning: _quiet, ...quiet } = this.context;
    return this.take(findGrounding(this.buffer, this.choice, quiet), false);
  }

  flush(): SyntaxMatch[] {
    return this.take(findGrounding(this.buffer, this.choice, this.context), true);
  }

  private take(matches: SyntaxMatch[], final: boolean): SyntaxMatch[] {
    const out: SyntaxMatch[] = [];
    this.pending = undefined;
    for (const m of matches) {
      if (m.offset < this.emittedEnd) continue;
      if (!final && Math.max(m.end, m.settledAt ?? 0) >= this.buffer.length) {
        this.pending = Math.max(this.emittedEnd, Math.min(m.textStart ?? m.offset, m.offset));
        break;
      }
      out.push(m);
      this.emittedEnd = m.end;
    }
    return out;
  }
}
