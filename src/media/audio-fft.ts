/**
 * A mixed-radix fast Fourier transform of one fixed length (any length; fast when it factors into small
 * primes, as the 400 points of a 25 ms window at 16 kHz do: 4·4·5·5). Double precision throughout.
 * One instance per length, reused for every frame; not safe for concurrent use (it keeps scratch buffers).
 */
export class MixedRadixFft {
  readonly size: number;
  private readonly factors: number[];
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly outRe: Float64Array;
  private readonly outIm: Float64Array;
  private readonly tmpRe: Float64Array;
  private readonly tmpIm: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`FFT size must be a positive integer, got ${size}`);
    this.size = size;
    this.factors = factorise(size);
    this.cos = new Float64Array(size);
    this.sin = new Float64Array(size);
    for (let j = 0; j < size; j += 1) {
      const angle = (-2 * Math.PI * j) / size;
      this.cos[j] = Math.cos(angle);
      this.sin[j] = Math.sin(angle);
    }
    this.outRe = new Float64Array(size);
    this.outIm = new Float64Array(size);
    const largest = Math.max(...this.factors, 1);
    this.tmpRe = new Float64Array(largest);
    this.tmpIm = new Float64Array(largest);
  }

  /**
   * |X[k]|^power for k = 0 … size/2 (the one-sided spectrum) of the real signal `input` (length `size`),
   * written into `out` (length floor(size/2) + 1).
   */
  powerSpectrum(input: ArrayLike<number>, out: Float64Array, power = 2): void {
    const n = this.size;
    this.transform(input, 0, 1, n, 0);
    const bins = Math.floor(n / 2) + 1;
    for (let k = 0; k < bins; k += 1) {
      const p = this.outRe[k]! * this.outRe[k]! + this.outIm[k]! * this.outIm[k]!;
      out[k] = power === 2 ? p : Math.pow(p, power / 2);
    }
  }

  /** The complex spectrum of a real signal, for tests: [re, im] of every bin. */
  spectrum(input: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
    this.transform(input, 0, 1, this.size, 0);
    return { re: this.outRe.slice(), im: this.outIm.slice() };
  }

  /**
   * Decimation in time: the n-point DFT of input[offset + j·stride] (j < n) into out[outOffset …],
   * from p sub-transforms of length n/p (p = the next factor), combined with p-point butterflies.
   */
  private transform(input: ArrayLike<number>, offset: number, stride: number, n: number, outOffset: number, depth = 0): void {
    const re = this.outRe;
    const im = this.outIm;
    if (n === 1) {
      re[outOffset] = input[offset]!;
      im[outOffset] = 0;
      return;
    }
    const p = this.factors[depth]!;
    const m = n / p;
    for (let r = 0; r < p; r += 1) this.transform(input, offset + r * stride, stride * p, m, outOffset + r * m, depth + 1);
    // X[k + q·m] = Σ_r W_n^{r(k + q·m)} · Y_r[k], W_n = exp(−2πi/n) = table index × (size / n)
    const step = this.size / n;
    const tRe = this.tmpRe;
    const tIm = this.tmpIm;
    for (let k = 0; k < m; k += 1) {
      for (let r = 0; r < p; r += 1) {
        tRe[r] = re[outOffset + r * m + k]!;
        tIm[r] = im[outOffset + r * m + k]!;
      }
      for (let q = 0; q < p; q += 1) {
        const idx = k + q * m;
        let sRe = tRe[0]!;
        let sIm = tIm[0]!;
        // twiddle exponent r·idx mod n, stepped without a division
        let e = 0;
        for (let r = 1; r < p; r += 1) {
          e += idx;
          while (e >= n) e -= n;
          const t = e * step;
          const c = this.cos[t]!;
          const s = this.sin[t]!;
          sRe += tRe[r]! * c - tIm[r]! * s;
          sIm += tRe[r]! * s + tIm[r]! * c;
        }
        re[outOffset + idx] = sRe;
        im[outOffset + idx] = sIm;
      }
    }
  }
}

/** Prime factors, fours first (a radix-4 butterfly costs less than two radix-2 ones here). */
function factorise(n: number): number[] {
  const factors: number[] = [];
  let rest = n;
  while (rest % 4 === 0) {
    factors.push(4);
    rest /= 4;
  }
  for (let f = 2; f * f <= rest; f += 1) {
    while (rest % f === 0) {
      factors.push(f);
      rest /= f;
    }
  }
  if (rest > 1) factors.push(rest);
  return factors;
}
