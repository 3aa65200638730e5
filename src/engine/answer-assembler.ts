import { GroundingScanner } from '../grounding/grounding-scanner';
import type { GroundingWarningCallback } from '../grounding/types';
import { AnswerText } from './generation/answer-text';
import { GroundedParts } from './grounded-parts';
import type { Part, PreparedMedia } from './types';

export interface AnswerAssemblerOptions {
  /** strings that end the answer (not shown) */
  stops: readonly string[];
  /** the request's media: boxes are mapped to its pixels, spans to its seconds */
  media: PreparedMedia | undefined;
  /** told about malformed boxes/spans in the answer (they are skipped) */
  onWarning?: GroundingWarningCallback;
}

/**
 * From the decoded text of the tokens generated so far to the answer's parts: `text-delta` pieces
 * (leading space dropped, stop strings cut, partial characters held back) followed, as soon as their
 * closing bracket is shown, by numbered `box`/`span` parts mapped onto the media. Any engine that
 * decodes text can use it; one per answer.
 */
export class AnswerAssembler {
  private readonly answer: AnswerText;
  private readonly scanner: GroundingScanner;
  private readonly grounded: GroundedParts;

  constructor(options: AnswerAssemblerOptions) {
    this.answer = new AnswerText(options.stops);
    this.scanner = new GroundingScanner(options.onWarning === undefined ? {} : { onWarning: options.onWarning });
    this.grounded = new GroundedParts(options.media);
  }

  /** The answer text shown so far. */
  get text(): string {
    return this.answer.text;
  }

  /** New parts for the decoded text so far; `stopped` when a stop string was reached. */
  update(decoded: string): { parts: Part[]; stopped: boolean } {
    const { delta, stopped } = this.answer.update(decoded);
    return { parts: this.parts(delta), stopped };
  }

  /** The answer is over: what was held back, and anything the end completes. */
  finish(decoded: string): Part[] {
    const parts = this.parts(this.answer.finish(decoded));
    for (const m of this.scanner.flush()) parts.push(this.grounded.toPart(m));
    return parts;
  }

  private parts(delta: string): Part[] {
    if (delta === '') return [];
    const found = this.scanner.push(delta);
    const out: Part[] = [{ type: 'text-delta', text: delta, pendingFrom: this.scanner.pendingFrom }];
    for (const m of found) out.push(this.grounded.toPart(m));
    return out;
  }
}
