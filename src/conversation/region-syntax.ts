import type { ModelBox, ModelSpan } from '../grounding/types';

function fraction(value: number, decimals: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
  return clamped.toFixed(decimals);
}

/** LEGO's box syntax in the model frame: `[0.112, 0.430, 0.251, 0.618]` (3 decimals). */
export function formatRegionBox(box: ModelBox): string {
  return `[${[box.x1, box.y1, box.x2, box.y2].map((v) => fraction(v, 3)).join(', ')}]`;
}

/** LEGO's span syntax in the model frame: `{0.25, 0.60}` (2 decimals of the duration). */
export function formatRegionSpan(span: ModelSpan): string {
  return `{${fraction(span.start, 2)}, ${fraction(span.end, 2)}}`;
}
