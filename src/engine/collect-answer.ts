import { LegoError } from '../errors';
import type { CollectedAnswer, GroundedBox, GroundedSpan, Part } from './types';

/**
 * Reads a whole answer from an engine's stream. Resolves with the text (the finish part's), the boxes and spans (without
 * their `type`) and the finish information; rejects with the stream's LegoError when it carries an
 * `error` part, or with `engine-failed` when it ends without a `finish`.
 */
/** An answer as it grows. */
export interface AnswerSoFar {
  text: string;
  boxes: readonly GroundedBox[];
  spans: readonly GroundedSpan[];
  /** where markup that may still become a region begins (the engine's parse); unset when the engine does not say */
  pendingFrom?: number;
}

export interface CollectAnswerOptions {
  /**
   * called (and awaited) with the answer so far (text and the regions found in it), one text delta late,
   * e.g. to show it growing with its regions already numbered
   */
  onProgress?: (soFar: AnswerSoFar) => void | Promise<void>;
}

export async function collectAnswer(stream: AsyncIterable<Part>, options: CollectAnswerOptions = {}): Promise<CollectedAnswer> {
  const boxes: GroundedBox[] = [];
  const spans: GroundedSpan[] = [];
  let text = '';
  // Progress is told one text delta late: an engine reports a region after the text that completes it
  // (often once one more character shows that the markup is over), so the text so far is told together
  // with every region found in it up to then.
  let untold = false;
  let pendingFrom: number | undefined;
  for await (const part of stream) {
    switch (part.type) {
      case 'text-delta':
        if (untold) await options.onProgress?.({ text, boxes, spans, ...(pendingFrom === undefined ? {} : { pendingFrom }) });
        text += part.text;
        pendingFrom = part.pendingFrom;
        untold = true;
        break;
      case 'box': {
        const { type: _type, ...box } = part;
        boxes.push(box);
        break;
      }
      case 'span': {
        const { type: _type, ...span } = part;
        spans.push(span);
        break;
      }
      case 'error':
        throw part.error;
      case 'finish': {
        // the whole text is there and every region in it was reported: nothing is pending any more
        if (untold) await options.onProgress?.({ text, boxes, spans, pendingFrom: text.length });
        const { type: _type, ...finish } = part;
        return { text: finish.text, boxes, spans, finish };
      }
    }
  }
  throw new LegoError('engine-failed', 'the answer stream ended without a finish part');
}
