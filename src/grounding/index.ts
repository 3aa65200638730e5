export type {
  BoxMatch,
  GroundingMatch,
  GroundingWarning,
  GroundingWarningCallback,
  ImageSize,
  ModelBox,
  ModelSpan,
  PixelBox,
  SecondSpan,
  SpanMatch,
} from './types';
export { formatBox, formatSpan, LEGO_BOX_DECIMALS, LEGO_SPAN_DECIMALS } from './lego-format';
export { parseBoxes, parseGrounding, parseSpans } from './parse-grounding';
export type { ParseGroundingOptions } from './parse-grounding';
export { GroundingScanner } from './grounding-scanner';
export type { GroundingScannerOptions } from './grounding-scanner';
export { labelBefore } from './grounding-label';
export { modelBoxToPixels, pixelBoxToModel, secondsToSpan, spanToSeconds } from './coordinate-frames';
export { boxIou, spanIou } from './iou';
export { parseFraction, parseCoordinateGroups, looksLikeCoordinates } from './coordinate-list';
export type { CoordinateGroup } from './coordinate-list';
export * from './syntaxes';
