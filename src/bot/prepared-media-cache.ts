import type { PreparedAudio, PreparedMedia } from '../engine/types';
import type { SampledFrame } from '../media/sample-video';

/** A media prepared for the engine, with what rendering and zooming need again. */
export interface PreparedEntry {
  /** the image or video for the engine; absent for a sound alone */
  prepared?: PreparedMedia;
  /** a sound file's clips, or the video's soundtrack (engines with an audio encoder) */
  audio?: PreparedAudio;
  /** the original file's bytes, for images (zoom crops and annotated pictures are cut from them) */
  bytes?: Buffer;
  /** the sampled frames of a video (small), for the timeline's keyframes */
  frames?: SampledFrame[];
}

/**
 * A small LRU of prepared media by content hash (and media kind), so that a follow-up question about the
 * same image or video does not fetch, decode and resample it again. Bounded by entries; one per Bot.
 */
export class PreparedMediaCache {
  readonly #limit: number;
  readonly #entries = new Map<string, PreparedEntry>();

  constructor(limit: number) {
    this.#limit = Math.max(0, limit);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): PreparedEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: PreparedEntry): void {
    if (this.#limit === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#limit) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
