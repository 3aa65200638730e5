/** Intersection over union for boxes (any one frame, both in it) and for spans. */

interface Rect {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

interface Interval {
  start: number;
  end: number;
}

/** IoU of two boxes in the same frame; 0 when the union is empty. Reversed corners count as empty. */
export function boxIou(a: Rect, b: Rect): number {
  const ix = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const iy = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = ix * iy;
  const areaA = Math.max(0, a.x2 - a.x1) * Math.max(0, a.y2 - a.y1);
  const areaB = Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
  const union = areaA + areaB - inter;
  return union > 0 ? inter / union : 0;
}

/** 1-D IoU of two spans (temporal IoU); 0 when the union is empty. */
export function spanIou(a: Interval, b: Interval): number {
  const inter = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  const union = Math.max(0, a.end - a.start) + Math.max(0, b.end - b.start) - inter;
  return union > 0 ? inter / union : 0;
}
