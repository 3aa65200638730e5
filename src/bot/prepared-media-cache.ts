import { BoundedLru } from '../bounded-lru';
import type { PreparedMedia } from '../engine/types';
import type { PreparedForEngine } from '../media/prepare-for-engine';

/** A media prepared for the engine, with what rendering and zooming need again (the one preparation path's result). */
export type PreparedEntry = PreparedForEngine;

function sourceBytes(prepared: PreparedMedia | undefined): number {
  const source = prepared?.source;
  if (source === undefined) return 0;
  if ('bytes' in source) return source.bytes.length;
  return source.frames.reduce((sum, frame) => sum + frame.image.bytes.length, 0);
}

/** The bytes an entry holds: the tensors (pixels, sound features), the picture at display size, the original file, the sampled frames and any source media. */
export function preparedEntryBytes(entry: PreparedEntry): number {
  const frames = (entry.frames?.reduce((sum, frame) => sum + frame.image.data.length, 0) ?? 0) + (entry.display?.image.data.length ?? 0);
  const tensors = (entry.prepared?.pixelValues.byteLength ?? 0) + (entry.audio?.features.byteLength ?? 0) + (entry.audio?.wav?.byteLength ?? 0) + (entry.waveform?.samples.byteLength ?? 0);
  return tensors + (entry.bytes?.length ?? 0) + frames + sourceBytes(entry.prepared);
}

/**
 * The LRU of prepared media by content hash (and media kind), so that a follow-up question about the
 * same image or video does not fetch, decode and resample it again. Bounded by entries and by bytes
 * (`preparedEntryBytes`: a 12 MP photo's entry is its picture at display size, 1000×750 RGB = 2.25 MB,
 * plus a 0.1 MB tensor; the file itself stays where it came from), one per Bot;
 * the project's one LRU (src/bounded-lru.ts).
 */
export function preparedMediaCache(maxEntries: number, maxBytes: number): BoundedLru<string, PreparedEntry> {
  return new BoundedLru<string, PreparedEntry>({ maxEntries, maxSize: maxBytes, sizeOf: preparedEntryBytes });
}
