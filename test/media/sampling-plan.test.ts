import type { PacketIndex } from '../../src/media/packet-index';
import { parsePacketIndex } from '../../src/media/packet-index';
import { estimateSamplingCost, planFrameSampling, sampleTimes } from '../../src/media/sampling-plan';

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
