import { modelBoxToPixels, spanToSeconds } from '../grounding/coordinate-frames';
import type { GroundingMatch } from '../grounding/types';
import type { Part, PreparedMedia } from './types';

type GroundedPart = Extract<Part, { type: 'box' } | { type: 'span' }>;

/** Where a match's markup sits in the text: the LEGO scanner's matches and the other syntaxes' both fit. */
interface FoundMarkup {
  offset: number;
  /** just after `raw` (the syntaxes'; the LEGO scanner's is `offset + raw.length`) */
  end?: number;
  textStart?: number;
  textEnd?: number;
  inlineLabel?: boolean;
}

/** What a parser found: the LEGO scanner's matches and the other syntaxes' (src/grounding/syntaxes) both fit. */
type FoundGrounding =
  | (Pick<Extract<GroundingMatch, { kind: 'box' }>, 'kind' | 'box' | 'raw' | 'label'> & FoundMarkup)
  | (Pick<Extract<GroundingMatch, { kind: 'span' }>, 'kind' | 'span' | 'raw' | 'label'> & FoundMarkup);

/** The region's [start, end) in the text and the words of its markup that stay. */
function markup(match: FoundGrounding): { start: number; end: number; shown?: string } {
  const end = match.textEnd ?? match.end ?? match.offset + match.raw.length;
  const shown = match.inlineLabel === true && match.label !== undefined ? { shown: match.label } : {};
  return { start: match.textStart ?? match.offset, end, ...shown };
}

/**
 * Turns boxes and spans found in an answer into numbered `box`/`span` parts, mapped onto the request's
 * media: boxes to pixels of the original image, spans to seconds of the video. One per answer.
 */
export class GroundedParts {
  private boxes = 0;
  private spans = 0;

  constructor(private readonly media: PreparedMedia | undefined) {}

  toPart(match: FoundGrounding): GroundedPart {
    const label = match.label === undefined ? {} : { label: match.label };
    if (match.kind === 'box') {
      this.boxes += 1;
      const pixels = this.media?.kind === 'image' ? { pixels: modelBoxToPixels(match.box, this.media.size) } : {};
      return { type: 'box', index: this.boxes, box: match.box, ...pixels, ...label, raw: match.raw, ...markup(match) };
    }
    this.spans += 1;
    const seconds = this.media?.kind === 'video' ? { seconds: spanToSeconds(match.span, this.media.durationSec) } : {};
    return { type: 'span', index: this.spans, span: match.span, ...seconds, ...label, raw: match.raw, ...markup(match) };
  }
}
