import type { ModelBox, ModelSpan } from './types';

/** LEGO's defaults: boxes with 3 decimals, spans with 2 (the bundle's `grounding` section may say otherwise). */
export const LEGO_BOX_DECIMALS = 3;
export const LEGO_SPAN_DECIMALS = 2;

function clamp01(v: number): number {
  if (Number.isNaN(v)) return 0;
  return Math.min(1, Math.max(0, v));
}

function fixed(v: number, decimals: number): string {
  // toFixed on a clamped value never yields "-0.000" or exponent notation
  return (clamp01(v) + 0).toFixed(decimals);
}

/** `[0.112, 0.430, 0.251, 0.618]` — fractions of the padded square, clamped to [0, 1]. */
export function formatBox(box: ModelBox, decimals: number = LEGO_BOX_DECIMALS): string {
  return `[${fixed(box.x1, decimals)}, ${fixed(box.y1, decimals)}, ${fixed(box.x2, decimals)}, ${fixed(box.y2, decimals)}]`;
}

/** `{0.25, 0.60}` — fractions of the clip's duration, clamped to [0, 1]. */
export function formatSpan(span: ModelSpan, decimals: number = LEGO_SPAN_DECIMALS): string {
  return `{${fixed(span.start, decimals)}, ${fixed(span.end, decimals)}}`;
}
