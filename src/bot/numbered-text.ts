import { parseGrounding } from '../grounding/parse-grounding';

/** The region numbers of an answer's boxes and spans, each in order of appearance. */
export interface AnswerNumbers {
  boxes: readonly number[];
  spans: readonly number[];
}

/** An opening bracket at the end of a growing answer that may become a box or span. */
const UNFINISHED = /[[{][\d.,;\s]*$/;

/**
 * The answer as people read it: each box and span the model wrote (`[0.120, 0.340, 0.560, 0.780]`,
 * `{0.10, 0.35}`) replaced by its region number (`[1]`), in the same order as the boxes and spans the
 * renderer draws. With `partial`, the text is still growing: an unfinished coordinate at the end is
 * held back, and boxes past the known numbers count on from the last one.
 */
export function numberGrounding(
  text: string,
  numbers: AnswerNumbers,
  options: { partial?: boolean; /** the number for boxes/spans past the known ones (default: one more than the highest known) */ next?: number } = {},
): string {
  const matches = parseGrounding(text);
  let out = '';
  let at = 0;
  let boxes = 0;
  let spans = 0;
  let next = options.next ?? Math.max(0, ...numbers.boxes, ...numbers.spans) + 1;
  for (const match of matches) {
    let number: number | undefined;
    if (match.kind === 'box') number = numbers.boxes[boxes++];
    else number = numbers.spans[spans++];
    if (number === undefined) number = next++;
    out += text.slice(at, match.offset) + `[${number}]`;
    at = match.offset + match.raw.length;
  }
  let rest = text.slice(at);
  if (options.partial === true) rest = rest.replace(UNFINISHED, '');
  return (out + rest).replace(/\[\[(\d+)\]\]/g, '[$1]').replace(/[ \t]+$/g, options.partial === true ? '' : '$&');
}
