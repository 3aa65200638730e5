import type { PacketIndex } from './packet-index';
import type { FrameSamplingStrategy } from './options';

/** LEGO's frame times: the centres of `count` equal bins over the clip, `(i + 0.5) / count × duration`. */
export function sampleTimes(durationSec: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => ((i + 0.5) / count) * durationSec);
}

/** Index of the last element ≤ value in an ascending array, or −1. */
function lastAtOrBefore(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? Infinity) <= value) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** Roughly what opening the file once more costs, in decoded frames (measured on 1080p H.264). */
export const SEEK_OVERHEAD_FRAMES = 3;

/**
 * ffmpeg starts an input seek 3/23 s early when the stream has B-frames (its DTS heuristic), which from
 * a keyframe's own time lands on the keyframe before it; seeking this far past a keyframe lands on it.
 */
export const KEYFRAME_SEEK_LEAD_SEC = 0.131;

/** The times a seeking read asks for: each either exact or moved onto a keyframe. */
export interface SeekTimes {
  times: number[];
  /** per time: true when it was moved onto a keyframe (read alone, without decoding up to a time) */
  onKeyframe: boolean[];
}

/**
 * Move each time onto the nearest keyframe when one is within `maxShiftSec` (and the next keyframe is
 * far enough for ffmpeg's seek to land on it); others stay exact. `maxShiftSec` ≤ 0 moves none.
 */
export function snapToKeyframes(times: readonly number[], index: PacketIndex | undefined, maxShiftSec: number): SeekTimes {
  const keys = index?.keyframeTimes ?? [];
  const snapped: SeekTimes = { times: [], onKeyframe: [] };
  for (const time of times) {
    let best: number | undefined;
    if (maxShiftSec > 0 && keys.length > 0) {
      const before = lastAtOrBefore(keys, time);
      for (const k of [before, before + 1]) {
        const key = keys[k];
        const next = keys[k + 1];
        if (key === undefined || Math.abs(key - time) > maxShiftSec) continue;
        if (next !== undefined && next - key <= KEYFRAME_SEEK_LEAD_SEC + 0.01) continue;
        if (best === undefined || Math.abs(key - time) < Math.abs(best - time)) best = key;
      }
    }
    snapped.times.push(best ?? time);
    snapped.onKeyframe.push(best !== undefined);
  }
  return snapped;
}

/** Frames each strategy decodes for these times, from the packet index (`onKeyframe`: read alone). */
export function estimateSamplingCost(
  times: readonly number[],
  index: PacketIndex,
  onKeyframe: readonly boolean[] = [],
): { seek: number; decode: number } {
  const eps = 1e-6;
  let seek = 0;
  for (const [i, time] of times.entries()) {
    if (onKeyframe[i]) {
      seek += 1 + SEEK_OVERHEAD_FRAMES;
      continue;
    }
    const key = index.keyframeTimes[lastAtOrBefore(index.keyframeTimes, time + eps)] ?? 0;
    const fromFrame = lastAtOrBefore(index.frameTimes, key - eps) + 1;
    const toFrame = lastAtOrBefore(index.frameTimes, time + eps) + 1;
    seek += Math.max(1, toFrame - fromFrame + 1) + SEEK_OVERHEAD_FRAMES;
  }
  const last = times.length > 0 ? Math.max(...times) : 0;
  const decode = lastAtOrBefore(index.frameTimes, last + eps) + 2;
  return { seek, decode };
}

/**
 * Choose how to read the frames. `seek` (one input per frame with fast input seeking, each decoding
 * from the keyframe before its time) wins when keyframes are frequent and the frames are far apart;
 * `decode` (one decoder over the clip with a `select` filter) wins for dense sampling or long GOPs.
 * Seeking is refused above `maxSeekInputs` frames, each open decoder costs memory. `times` are those
 * a seeking read would ask for (`snapToKeyframes`); decoding reads the frames at or after them too.
 */
export function planFrameSampling(
  times: readonly number[],
  index: PacketIndex | undefined,
  strategy: FrameSamplingStrategy,
  maxSeekInputs: number,
  onKeyframe: readonly boolean[] = [],
): 'seek' | 'decode' {
  if (strategy === 'decode') return 'decode';
  if (times.length > maxSeekInputs) return 'decode';
  if (strategy === 'seek' || !index || index.frameTimes.length === 0) return 'seek';
  const cost = estimateSamplingCost(times, index, onKeyframe);
  return cost.seek < cost.decode ? 'seek' : 'decode';
}
