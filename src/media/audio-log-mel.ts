import type { LogMelSpec } from '../engine/types';
import { MixedRadixFft } from './audio-fft';
import { melFilterbank } from './audio-mel-filterbank';

/**
 * Log-mel filterbank features as the audio contract describes them (docs/bundle-format.md,
 * models/lego-tiny/recipe/audio_features.py): frames of nFft samples every hopLength, no centring,
 * times a periodic Hann window, |rfft|^power, HTK mel filters, ln(max(mel, 0) + logFloor), then
 * (x − mean)/std. Tables are built once per spec; not safe for concurrent use (scratch buffers).
 */
export class LogMelExtractor {
  readonly spec: LogMelSpec;
  readonly sampleRate: number;
  private readonly window: Float64Array;
  private readonly fft: MixedRadixFft;
  private readonly filters: Float64Array;
  /** each filter's non-zero bins [from, to): the triangles are narrow, most of the bank is zeros */
  private readonly ranges: Int32Array;
  private readonly bins: number;
  private readonly frame: Float64Array;
  private readonly power: Float64Array;

  constructor(spec: LogMelSpec, sampleRate: number) {
    if (spec.winLength > spec.nFft) throw new RangeError(`winLength ${spec.winLength} is longer than nFft ${spec.nFft}`);
    this.spec = spec;
    this.sampleRate = sampleRate;
    this.fft = new MixedRadixFft(spec.nFft);
    this.bins = Math.floor(spec.nFft / 2) + 1;
    // periodic Hann of winLength, zero-padded on both sides to nFft (torch.stft's convention)
    this.window = new Float64Array(spec.nFft);
    const pad = Math.floor((spec.nFft - spec.winLength) / 2);
    for (let n = 0; n < spec.winLength; n += 1) this.window[pad + n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / spec.winLength);
    this.filters = melFilterbank({ nFft: spec.nFft, nMels: spec.nMels, sampleRate, fMin: spec.fMin, fMax: spec.fMax });
    this.ranges = new Int32Array(2 * spec.nMels);
    for (let m = 0; m < spec.nMels; m += 1) {
      let from = this.bins;
      let to = 0;
      for (let k = 0; k < this.bins; k += 1) {
        if (this.filters[m * this.bins + k] !== 0) {
          from = Math.min(from, k);
          to = k + 1;
        }
      }
      this.ranges[2 * m] = from;
      this.ranges[2 * m + 1] = Math.max(from, to);
    }
    this.frame = new Float64Array(spec.nFft);
    this.power = new Float64Array(this.bins);
  }

  /** Frames of a clip of `samples` samples: 1 + floor((samples − nFft) / hopLength). */
  framesOf(samples: number): number {
    return samples < this.spec.nFft ? 0 : 1 + Math.floor((samples - this.spec.nFft) / this.spec.hopLength);
  }

  /**
   * Features of one clip into out[offset …]: [nMels, frames] row-major (mel bands, then time), `frames`
   * from the spec (the clip must be long enough to give them).
   */
  clip(samples: Float32Array, out: Float32Array, offset = 0): void {
    const { nFft, hopLength, nMels, frames, logFloor, mean, std } = this.spec;
    if (this.framesOf(samples.length) < frames) {
      throw new RangeError(`a clip of ${samples.length} samples gives ${this.framesOf(samples.length)} frames, the spec wants ${frames}`);
    }
    const bins = this.bins;
    for (let t = 0; t < frames; t += 1) {
      const start = t * hopLength;
      for (let n = 0; n < nFft; n += 1) this.frame[n] = samples[start + n]! * this.window[n]!;
      this.fft.powerSpectrum(this.frame, this.power, this.spec.power);
      for (let m = 0; m < nMels; m += 1) {
        let sum = 0;
        const row = m * bins;
        const to = this.ranges[2 * m + 1]!;
        for (let k = this.ranges[2 * m]!; k < to; k += 1) sum += this.filters[row + k]! * this.power[k]!;
        out[offset + m * frames + t] = (Math.log(Math.max(sum, 0) + logFloor) - mean) / std;
      }
    }
  }

  /** Features of `count` clips laid end to end in `clips` (each `clipSamples` long): [count, nMels, frames]. */
  clips(clips: Float32Array, count: number, clipSamples: number): Float32Array {
    const per = this.spec.nMels * this.spec.frames;
    const out = new Float32Array(count * per);
    for (let i = 0; i < count; i += 1) this.clip(clips.subarray(i * clipSamples, (i + 1) * clipSamples), out, i * per);
    return out;
  }
}
