import { BoundedLru } from '../bounded-lru';
import type { PreparedMedia } from '../engine/types';
import type { SampledFrame } from '../media/sample-video';

/** A media prepared for the engine, with what rendering and zooming need again. */
export interface PreparedEntry {
  prepared: PreparedMedia;
  /** the original file's bytes, for images (zoom crops and annotated pictures are cut from them) */
  bytes?: Buffer;
  /** the sampled frames of a video (small), for the timeline's keyframes */
  frames?: SampledFrame[];
}

/**
 * The LRU of prepared media by content hash (and media kind), so that a follow-up question about the
 * same image or video does not fetch, decode and resample it again. Bounded by entries (one per Bot);
 * the project's one LRU (src/bounded-lru.ts) also takes a size function for a byte budget.
 */
export function preparedMediaCache(maxEntries: number): BoundedLru<string, PreparedEntry> {
  return new BoundedLru<string, PreparedEntry>({ maxEntries });
}
