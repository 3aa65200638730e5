/** Where a region's markup sits in an answer (from the engine's one parse: `GroundedBox.start/end/shown`). */
export interface TextRegion {
  /** [start, end) of the markup in the text */
  start: number;
  end: number;
  /** words of the markup that stay in front of the replacement (a `<ref>`'s text) */
  shown?: string | undefined;
}

/**
 * The text with each region's markup replaced by `write(region)` — `[1]` for people, LEGO's own syntax
 * for scoring — the words its markup held kept in front. The ranges come from the parse that found the
 * regions, so the text is never parsed again; overlapping or out-of-range regions are skipped. Returns
 * the text up to the end of the last region replaced and the rest separately (a growing answer holds
 * part of the rest back).
 */
export function replaceRegions<R extends TextRegion>(text: string, regions: readonly R[], write: (region: R) => string): { head: string; rest: string } {
  const sorted = [...regions].sort((a, b) => a.start - b.start);
  let head = '';
  let at = 0;
  for (const region of sorted) {
    if (region.start < at || region.end > text.length || region.end < region.start) continue;
    const before = text.slice(at, region.start);
    const shown = region.shown === undefined || region.shown.trim() === '' ? '' : `${region.shown.trim()} `;
    const joined = before === '' ? head : before;
    const replacement = write(region);
    // a space between the words before and the region's own words, or between two adjacent regions
    const gap = joined !== '' && !/\s$/.test(joined) && (shown !== '' || (before === '' && /[\]}]$/.test(joined))) ? ' ' : '';
    head += before + gap + shown + replacement;
    at = region.end;
  }
  return { head, rest: text.slice(at) };
}
