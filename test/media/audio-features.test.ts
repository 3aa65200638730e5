import type { AudioSpec } from '../../src/engine/types';
import { clipCentre, cutClips } from '../../src/media/audio-clips';
import { MixedRadixFft } from '../../src/media/audio-fft';
import { LogMelExtractor } from '../../src/media/audio-log-mel';
import { waveformPeaks } from '../../src/media/audio-prepare';
import { hzToMel, melFilterbank, melToHz } from '../../src/media/audio-mel-filterbank';

/** The audio contract's numbers. */
const spec: AudioSpec = {
  sampleRate: 16000,
  clipSeconds: 1,
  clips: 3,
  soundtrackClips: 8,
  features: { nFft: 400, winLength: 400, hopLength: 160, nMels: 64, fMin: 0, fMax: 8000, power: 2, logFloor: 1e-6, mean: -4.1, std: 4.2, frames: 98 },
};

function directDft(x: readonly number[]): { re: number[]; im: number[] } {
  const n = x.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k < n; k += 1) {
    let r = 0;
    let i = 0;
    for (let t = 0; t < n; t += 1) {
      r += x[t]! * Math.cos((-2 * Math.PI * k * t) / n);
      i += x[t]! * Math.sin((-2 * Math.PI * k * t) / n);
    }
    re.push(r);
    im.push(i);
  }
  return { re, im };
}

describe('audio features', () => {
  it.each([400, 16, 25, 7, 12, 1])('the mixed-radix FFT of %i points equals the direct DFT', (n) => {
    const x = Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) + ((i * 7919) % 13) / 13 - 0.5);
    const fast = new MixedRadixFft(n).spectrum(x);
    const slow = directDft(x);
    for (let k = 0; k < n; k += 1) {
      expect(Math.abs(fast.re[k]! - slow.re[k]!)).toBeLessThan(1e-9);
      expect(Math.abs(fast.im[k]! - slow.im[k]!)).toBeLessThan(1e-9);
    }
  });

  it('builds HTK mel triangles that peak at 1 and cover the band in order', () => {
    expect(melToHz(hzToMel(1234.5))).toBeCloseTo(1234.5, 9);
    expect(hzToMel(700)).toBeCloseTo(2595 * Math.log10(2), 9);
    const bank = melFilterbank({ nFft: 400, nMels: 64, sampleRate: 16000, fMin: 0, fMax: 8000 });
    expect(bank.length).toBe(64 * 201);
    let lastPeak = -1;
    for (let m = 0; m < 64; m += 1) {
      const row = Array.from(bank.subarray(m * 201, (m + 1) * 201));
      expect(Math.min(...row)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...row)).toBeLessThanOrEqual(1);
      const peak = row.indexOf(Math.max(...row));
      expect(peak).toBeGreaterThanOrEqual(lastPeak);
      lastPeak = peak;
    }
    // the highest filter's right edge is f_max: the last bin gets nothing from the last filter
    expect(bank[63 * 201 + 200]).toBeCloseTo(0, 12);
  });

  it('centres clips at (i + 0.5)·D/C, halves rounded up, with zeros outside the sound', () => {
    expect(clipCentre(0, 1, 16001)).toBe(8001);
    expect(clipCentre(1, 3, 16001)).toBe(8001);
    expect([0, 1, 2].map((i) => clipCentre(i, 3, 37920))).toEqual([6320, 18960, 31600]);
    const sound = Float32Array.from({ length: 10 }, (_, i) => i + 1);
    const clips = cutClips(sound, 2, 6);
    // centres 3 and 8: [0, 6) and [5, 11)
    expect(Array.from(clips)).toEqual([1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10, 0]);
    // a sound shorter than a clip sits in the middle of zeros
    expect(Array.from(cutClips(Float32Array.from([1, 2]), 1, 6))).toEqual([0, 0, 1, 2, 0, 0]);
  });

  it('puts a pure tone in the mel band of its frequency', () => {
    const sr = spec.sampleRate;
    const samples = Float32Array.from({ length: sr }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / sr));
    const extractor = new LogMelExtractor(spec.features, sr);
    const out = new Float32Array(spec.features.nMels * spec.features.frames);
    extractor.clip(samples, out);
    const frame = 40;
    const column = Array.from({ length: spec.features.nMels }, (_, m) => out[m * spec.features.frames + frame]!);
    const loudest = column.indexOf(Math.max(...column));
    const bank = melFilterbank({ nFft: 400, nMels: 64, sampleRate: sr, fMin: 0, fMax: 8000 });
    // 1000 Hz is bin 25: the loudest band is the one whose filter weighs bin 25 most
    const expected = Array.from({ length: 64 }, (_, m) => bank[m * 201 + 25]!);
    expect(loudest).toBe(expected.indexOf(Math.max(...expected)));
  });


  it('draws a waveform small: min and max of every block, two values per block', () => {
    const peaks = waveformPeaks(Float32Array.from([0, 0.5, -0.25, 0.1, 0.9, -0.8, 0.2]), 16000, 4);
    expect(Array.from(peaks.samples)).toEqual([-0.25, 0.5, -0.800000011920929, 0.8999999761581421]);
    expect(peaks.sampleRate).toBe(8000);
  });
});
