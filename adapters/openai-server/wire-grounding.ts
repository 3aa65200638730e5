import type { WireBox, WireSpan } from '../../src/engine/remote/openai-wire';
import type { GroundedBox, GroundedSpan } from '../../src/engine/types';

/** A box part on the wire: model-frame numbers at the top level, pixels of the original beside them. */
export function wireBox(box: GroundedBox): WireBox {
  return {
    index: box.index,
    ...box.box,
    ...(box.pixels === undefined ? {} : { pixels: box.pixels }),
    ...(box.label === undefined ? {} : { label: box.label }),
    raw: box.raw,
  };
}

export function wireSpan(span: GroundedSpan): WireSpan {
  return {
    index: span.index,
    ...span.span,
    ...(span.seconds === undefined ? {} : { seconds: span.seconds }),
    ...(span.label === undefined ? {} : { label: span.label }),
    raw: span.raw,
  };
}
