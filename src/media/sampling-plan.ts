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

/** Frames each strategy decodes for these times, from the packet index. */
export function estimateSamplingCost(times: readonly number[], index: PacketIndex): { seek: number; decode: number } {
  const eps = 1e-6;
  let seek = 0;
  for (const time of times) {
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
 * Seeking is refused above `maxSeekInputs` frames, each open decoder costs memory.
 */
export function planFrameSampling(
  times: readonly number[],
  index: PacketIndex | undefined,
  strategy: FrameSamplingStrategy,
  maxSeekInputs: number,
): 'seek' | 'decode' {
  if (strategy === 'decode') return 'decode';
  if (times.length > maxSeekInputs) return 'decode';
  if (strategy === 'seek' || !index || index.frameTimes.length === 0) return 'seek';
  const cost = estimateSamplingCost(times, index);
  return cost.seek < cost.decode ? 'seek' : 'decode';
}
