import { BoundedLru } from '../bounded-lru';
import type { PreparedForEngine } from '../media/prepare-for-engine';

/** A media prepared for the engine, with what rendering and zooming need again (the one preparation path's result). */
export type PreparedEntry = PreparedForEngine;

/**
 * The LRU of prepared media by content hash (and media kind), so that a follow-up question about the
 * same image or video does not fetch, decode and resample it again. Bounded by entries (one per Bot);
 * the project's one LRU (src/bounded-lru.ts) also takes a size function for a byte budget.
 */
export function preparedMediaCache(maxEntries: number): BoundedLru<string, PreparedEntry> {
  return new BoundedLru<string, PreparedEntry>({ maxEntries });
}
