import { LegoError } from '../errors';
import type { CollectedAnswer, GroundedBox, GroundedSpan, Part } from './types';

/**
 * Reads a whole answer from an engine's stream. Resolves with the text (the finish part's), the boxes and spans (without
 * their `type`) and the finish information; rejects with the stream's LegoError when it carries an
 * `error` part, or with `engine-failed` when it ends without a `finish`.
 */
export interface CollectAnswerOptions {
  /** called (and awaited) with each text delta and the whole text so far, e.g. to show the answer growing */
  onText?: (textSoFar: string, delta: string) => void | Promise<void>;
}

export async function collectAnswer(stream: AsyncIterable<Part>, options: CollectAnswerOptions = {}): Promise<CollectedAnswer> {
  const boxes: GroundedBox[] = [];
  const spans: GroundedSpan[] = [];
  let text = '';
  for await (const part of stream) {
    switch (part.type) {
      case 'text-delta':
        text += part.text;
        if (options.onText !== undefined) await options.onText(text, part.text);
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
        const { type: _type, ...finish } = part;
        return { text: finish.text, boxes, spans, finish };
      }
    }
  }
  throw new LegoError('engine-failed', 'the answer stream ended without a finish part');
}
