import { GroundingScanner } from './grounding-scanner';
import type { BoxMatch, GroundingMatch, GroundingWarningCallback, SpanMatch } from './types';

export interface ParseGroundingOptions {
  /** told about each malformed box/span that was skipped */
  onWarning?: GroundingWarningCallback;
}

/** Every LEGO box and span in a finished text, in order of appearance. Never throws. */
export function parseGrounding(text: string, options: ParseGroundingOptions = {}): GroundingMatch[] {
  const scanner = new GroundingScanner(options);
  return [...scanner.push(text), ...scanner.flush()];
}

/** Every LEGO box `[x1, y1, x2, y2]` in a text (model frame). */
export function parseBoxes(text: string, options: ParseGroundingOptions = {}): BoxMatch[] {
  const scanner = new GroundingScanner({ ...options, spans: false });
  return [...scanner.push(text), ...scanner.flush()].filter((m): m is BoxMatch => m.kind === 'box');
}

/** Every LEGO span `{start, end}` in a text (fractions of the duration). */
export function parseSpans(text: string, options: ParseGroundingOptions = {}): SpanMatch[] {
  const scanner = new GroundingScanner({ ...options, boxes: false });
  return [...scanner.push(text), ...scanner.flush()].filter((m): m is SpanMatch => m.kind === 'span');
}
