/** HTK mel scale: mel = 2595 · log10(1 + f / 700). */
export function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

export function melToHz(mel: number): number {
  return 700 * (Math.pow(10, mel / 2595) - 1);
}

export interface MelFilterbankOptions {
  nFft: number;
  nMels: number;
  sampleRate: number;
  fMin: number;
  fMax: number;
}

/**
 * Triangular filters on the HTK mel scale, `nMels` × (nFft/2 + 1), row-major: nMels + 2 points equally
 * spaced in mel between fMin and fMax, bin k at k·sampleRate/nFft Hz, each filter rising from its left
 * point to 1 at its centre and falling to 0 at its right point; no area normalisation (torchaudio's
 * `melscale_fbanks(norm=None, mel_scale="htk")`).
 */
export function melFilterbank(options: MelFilterbankOptions): Float64Array {
  const { nFft, nMels, sampleRate, fMin, fMax } = options;
  const bins = Math.floor(nFft / 2) + 1;
  const lo = hzToMel(fMin);
  const hi = hzToMel(fMax);
  const points = Array.from({ length: nMels + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (nMels + 1)));
  const weights = new Float64Array(nMels * bins);
  for (let m = 0; m < nMels; m += 1) {
    const left = points[m]!;
    const centre = points[m + 1]!;
    const right = points[m + 2]!;
    for (let k = 0; k < bins; k += 1) {
      const f = (k * sampleRate) / nFft;
      const up = (f - left) / (centre - left);
      const down = (right - f) / (right - centre);
      weights[m * bins + k] = Math.max(0, Math.min(up, down));
    }
  }
  return weights;
}
