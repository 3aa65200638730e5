import type { PacketIndex } from '../../src/media/packet-index';
import { parsePacketIndex } from '../../src/media/packet-index';
import { estimateSamplingCost, planFrameSampling, sampleTimes, snapToKeyframes } from '../../src/media/sampling-plan';

/** A constant-rate index: `seconds` at `fps`, a keyframe every `gop` frames. */
function index(seconds: number, fps: number, gop: number): PacketIndex {
  const frameTimes = Array.from({ length: Math.round(seconds * fps) }, (_, i) => i / fps);
  return { frameTimes, keyframeTimes: frameTimes.filter((_, i) => i % gop === 0), endSec: seconds };
}

describe('sampleTimes', () => {
  it('puts the frames at the centres of equal bins', () => {
    expect(sampleTimes(8, 4)).toEqual([1, 3, 5, 7]);
    expect(sampleTimes(10, 1)).toEqual([5]);
  });
});

describe('planFrameSampling', () => {
  it('seeks when keyframes are frequent and samples far apart (60 s, 1 s GOP, 16 frames)', () => {
    const idx = index(60, 30, 30);
    const cost = estimateSamplingCost(sampleTimes(60, 16), idx);
    expect(cost.seek).toBeLessThan(cost.decode / 3);
    expect(planFrameSampling(sampleTimes(60, 16), idx, 'auto', 32)).toBe('seek');
  });

  it('decodes once when seeking would decode more (5 s clip, 250-frame GOP, 16 frames)', () => {
    const idx = index(5, 30, 250);
    expect(planFrameSampling(sampleTimes(5, 16), idx, 'auto', 32)).toBe('decode');
  });

  it('decodes above maxSeekInputs, and obeys an explicit strategy', () => {
    const idx = index(60, 30, 30);
    expect(planFrameSampling(sampleTimes(60, 64), idx, 'auto', 32)).toBe('decode');
    expect(planFrameSampling(sampleTimes(60, 64), idx, 'seek', 32)).toBe('decode');
    expect(planFrameSampling(sampleTimes(5, 16), index(5, 30, 250), 'seek', 32)).toBe('seek');
    expect(planFrameSampling(sampleTimes(60, 4), idx, 'decode', 32)).toBe('decode');
    expect(planFrameSampling(sampleTimes(60, 4), undefined, 'auto', 32)).toBe('seek');
  });
});

describe('parsePacketIndex', () => {
  it('reads compact ffprobe packet lines, relative to the start, in presentation order', () => {
    const text = [
      'pts_time=1.000000|dts_time=0.933333|duration_time=0.033333|flags=K_',
      'pts_time=1.100000|dts_time=0.966667|duration_time=0.033333|flags=__',
      'pts_time=1.033333|dts_time=1.000000|duration_time=0.033333|flags=__',
      'pts_time=N/A|dts_time=1.033333|duration_time=0.033333|flags=K_',
      '',
    ].join('\n');
    const idx = parsePacketIndex(text, 1);
    expect(idx.frameTimes.map((t) => Number(t.toFixed(4)))).toEqual([0, 0.0333, 0.0333, 0.1]);
    expect(idx.keyframeTimes.map((t) => Number(t.toFixed(4)))).toEqual([0, 0.0333]);
    expect(idx.endSec).toBeCloseTo(0.1333, 3);
  });
});

describe('snapToKeyframes', () => {
  it('moves a time onto the nearest keyframe within the shift, and leaves the others exact', () => {
    const idx = index(10, 10, 10); // a keyframe every second
    const snapped = snapToKeyframes([1.2, 2.5, 4.9, 9.7], idx, 0.3);
    expect(snapped.times).toEqual([1, 2.5, 5, 9.7]);
    expect(snapped.onKeyframe).toEqual([true, false, true, false]);
    expect(snapToKeyframes([1.2], idx, 0).onKeyframe).toEqual([false]);
    expect(snapToKeyframes([1.2], undefined, 0.3).times).toEqual([1.2]);
  });

  it('does not take a keyframe whose next one is too close for the seek to land on it', () => {
    const idx: PacketIndex = { frameTimes: [0, 1, 1.05, 2], keyframeTimes: [0, 1, 1.05, 2], endSec: 2.1 };
    expect(snapToKeyframes([1.02], idx, 0.3)).toEqual({ times: [1.05], onKeyframe: [true] });
    expect(snapToKeyframes([0.98], idx, 0.03)).toEqual({ times: [0.98], onKeyframe: [false] });
  });

  it('makes a keyframe read alone cheap in the plan (60 s at 30 fps, a keyframe every 2 s, 16 frames)', () => {
    const idx = index(60, 30, 60);
    const times = sampleTimes(60, 16);
    const snapped = snapToKeyframes(times, idx, 0.25 * (60 / 16));
    const moved = snapped.onKeyframe.filter(Boolean).length;
    expect(moved).toBeGreaterThanOrEqual(8);
    expect(snapped.times.every((t, i) => Math.abs(t - (times[i] ?? 0)) <= 0.25 * (60 / 16))).toBe(true);
    // each frame moved onto a keyframe costs one frame and the input's opening, not ~half a GOP
    expect(estimateSamplingCost(snapped.times, idx, snapped.onKeyframe).seek).toBeLessThan(0.6 * estimateSamplingCost(times, idx).seek);
  });
});
