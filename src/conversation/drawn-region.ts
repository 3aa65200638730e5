import type { PixelBox, SecondSpan } from '../grounding/types';

/**
 * Regions a person points at by hand, written in the question as text so that every surface (Discord,
 * Slack, the web chat, the CLI) carries them the same way:
 *   "what is in the region 10,20,200,180?"   → a rectangle, pixels of the image as displayed (x1,y1,x2,y2)
 *   "what happens in the span 1.5s-3s?"     → a stretch of the video, in seconds (the unit is required)
 * The web chat and `lego ask --region` build the same words with `withDrawnRegion`. The resolver turns
 * them into LEGO's region syntax in the model's frame and numbers them like the model's own regions.
 */
export type DrawnRegion = { kind: 'box'; pixels: PixelBox } | { kind: 'span'; seconds: SecondSpan };

export interface DrawnPhrase {
  /** text.slice(start, end) is the whole phrase ("the region 10,20,200,180") */
  start: number;
  end: number;
  /** where its coordinates begin: text.slice(start, coordsStart) is the words kept ("the region ") */
  coordsStart: number;
  region: DrawnRegion;
}

const NUM = '(\\d{1,6}(?:\\.\\d+)?)';
const SEP = '\\s*[,;]\\s*';
// "the region 10,20,200,180", "area (10, 20, 200, 180)", "rectangle [10,20,200,180] px"
const BOX = new RegExp(
  `\\b((?:(?:the|this|that|my)\\s+)?(?:region|area|rectangle|rect|selection)\\s*(?:at\\s+)?)[\\[(]?\\s*${NUM}${SEP}${NUM}${SEP}${NUM}${SEP}${NUM}(?:\\s*[\\])])?(?:\\s*(?:px|pixels)\\b)?`,
  'gi',
);
const SECONDS = '\\s*(?:s|sec|secs|seconds?)\\b';
// "the span 1.5s-3s", "the segment from 1.5 to 3 seconds", "span 1.5–3.0 s"
const SPAN = new RegExp(
  `\\b((?:(?:the|this|that|my)\\s+)?(?:span|segment|stretch|part)\\s+(?:from\\s+)?)${NUM}(?:${SECONDS})?\\s*(?:-|–|—|to|until)\\s*${NUM}${SECONDS}`,
  'gi',
);

/** The hand-drawn regions written in `text`, in order. Malformed ones (x2 ≤ x1…) are kept: the resolver says why they cannot be used. */
export function findDrawnRegions(text: string): DrawnPhrase[] {
  const found: DrawnPhrase[] = [];
  // both need numbers and a noun; most questions have neither (and these patterns are compiled again
  // after a major GC)
  if (!/\d/.test(text)) return found;
  if (/region|area|rect|selection/i.test(text)) for (const match of text.matchAll(BOX)) {
    const [x1, y1, x2, y2] = match.slice(2, 6).map(Number) as [number, number, number, number];
    found.push({ start: match.index, end: match.index + match[0].length, coordsStart: match.index + (match[1] ?? '').length, region: { kind: 'box', pixels: { x1, y1, x2, y2 } } });
  }
  if (/span|segment|stretch|part/i.test(text)) for (const match of text.matchAll(SPAN)) {
    const start = match.index;
    const end = start + match[0].length;
    if (found.some((p) => start < p.end && p.start < end)) continue;
    found.push({ start, end, coordsStart: start + (match[1] ?? '').length, region: { kind: 'span', seconds: { start: Number(match[2]), end: Number(match[3]) } } });
  }
  return found.sort((a, b) => a.start - b.start);
}

/** `text` with the drawn phrases blanked out (same length, so offsets stay), for the numbered-reference parser. */
export function maskDrawnRegions(text: string, phrases: readonly DrawnPhrase[]): string {
  let out = text;
  for (const p of phrases) out = out.slice(0, p.start) + ' '.repeat(p.end - p.start) + out.slice(p.end);
  return out;
}

function trimNumber(value: number, decimals: number): string {
  return String(Number(value.toFixed(decimals)));
}

/** The words for a drawn region: "the region 10,20,200,180" or "the span 1.5s-3s". */
export function formatDrawnRegion(region: DrawnRegion): string {
  if (region.kind === 'box') {
    const { x1, y1, x2, y2 } = region.pixels;
    return `the region ${[x1, y1, x2, y2].map((v) => trimNumber(v, 0)).join(',')}`;
  }
  return `the span ${trimNumber(region.seconds.start, 2)}s-${trimNumber(region.seconds.end, 2)}s`;
}

const POINTING = /\b(?:the|this|that|my)\s+(?:region|area|rectangle|selection|box|part|span|segment|stretch)\b(?!\s*(?:#|\[|\d))/i;

/**
 * The question with a region the person drew (web chat, `lego ask --region`) written into it: it replaces
 * "this region" / "the part" when the question says so, stands alone as "What is in the region …?" when
 * there is no question, and is added at the end otherwise. A question that already names a drawn region
 * is left as it is.
 */
export function withDrawnRegion(text: string, region: DrawnRegion): string {
  const words = formatDrawnRegion(region);
  const trimmed = text.trim();
  if (findDrawnRegions(trimmed).length > 0) return trimmed;
  if (trimmed === '') return region.kind === 'box' ? `What is in ${words}?` : `What happens in ${words}?`;
  if (POINTING.test(trimmed)) return trimmed.replace(POINTING, words);
  const end = /[?.!]$/.test(trimmed) ? '' : '?';
  return `${trimmed}${end} (${words})`;
}

/** "x1,y1,x2,y2" in pixels (the CLI's --region), or null when it is not four numbers. */
export function parseRegionOption(value: string): PixelBox | null {
  const parts = value.split(',').map((part) => part.trim());
  if (parts.length !== 4 || parts.some((part) => !/^\d+(?:\.\d+)?$/.test(part))) return null;
  const [x1, y1, x2, y2] = parts.map(Number) as [number, number, number, number];
  return { x1, y1, x2, y2 };
}

function finiteNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * A drawn region sent as data (the web chat's JSON: `{x1, y1, x2, y2}` in pixels or `{start, end}` in
 * seconds), or null when it is not one of those shapes.
 */
export function drawnRegionFromJson(value: unknown): DrawnRegion | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if ([v.x1, v.y1, v.x2, v.y2].every(finiteNonNegative)) {
    return { kind: 'box', pixels: { x1: v.x1 as number, y1: v.y1 as number, x2: v.x2 as number, y2: v.y2 as number } };
  }
  if (finiteNonNegative(v.start) && finiteNonNegative(v.end)) return { kind: 'span', seconds: { start: v.start, end: v.end } };
  return null;
}
