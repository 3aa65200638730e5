import fc from 'fast-check';
import { SeededRandom } from '../../src/engine/generation/seeded-random';
import { argmax, sampleToken, topPNucleus } from '../../src/engine/generation/token-sampler';

/** The nucleus the slow obvious way: sort by probability (ties by index), take until the mass is reached. */
function naiveNucleus(probs: number[], topP: number): number[] {
  const sum = probs.reduce((a, b) => a + b, 0);
  const order = probs.map((_, i) => i).sort((a, b) => probs[b]! - probs[a]! || a - b);
  const out: number[] = [];
  let acc = 0;
  for (const i of order) {
    out.push(i);
    acc += probs[i]!;
    if (acc >= topP * sum) break;
  }
  return out.sort((a, b) => a - b);
}

describe('token sampler', () => {
  it('argmax takes the first maximum and ignores NaN', () => {
    expect(argmax([1, 3, 3, 2])).toBe(1);
    expect(argmax([Number.NaN, -1, -2])).toBe(1);
  });

  it('is greedy at temperature 0', () => {
    const r = new SeededRandom(1);
    expect(sampleToken([0.1, 5, 4.9], { temperature: 0, topP: 0.5 }, r)).toBe(1);
  });

  it('finds the same top-p nucleus as sorting, ties included', () => {
    const logit = fc.oneof(fc.integer({ min: -8, max: 8 }).map((x) => x / 2), fc.double({ min: -20, max: 20, noNaN: true }));
    fc.assert(
      fc.property(fc.array(logit, { minLength: 1, maxLength: 80 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (logits, topP) => {
        const max = Math.max(...logits);
        const probs = logits.map((v) => Math.exp(v - max));
        const sum = probs.reduce((a, b) => a + b, 0);
        expect(topPNucleus(Float64Array.from(probs), sum, topP)).toEqual(naiveNucleus(probs, topP));
      }),
      { numRuns: 500 },
    );
  });

  it('works on a large vocabulary (selection path)', () => {
    const r = new SeededRandom(9);
    const probs = Array.from({ length: 5000 }, () => Math.exp(-r.next() * 10));
    const sum = probs.reduce((a, b) => a + b, 0);
    expect(topPNucleus(Float64Array.from(probs), sum, 0.9)).toEqual(naiveNucleus(probs, 0.9));
  });

  it('samples in proportion to softmax(logits / T) within the nucleus', () => {
    const r = new SeededRandom(42);
    const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];
    const counts = [0, 0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i += 1) counts[sampleToken(logits, { temperature: 1, topP: 0.9 }, r)]! += 1;
    // top-p 0.9 keeps 0.5, 0.3, 0.15 (0.95 >= 0.9) and drops 0.05
    expect(counts[3]).toBe(0);
    expect(counts[0]! / n).toBeCloseTo(0.5 / 0.95, 1);
    expect(counts[1]! / n).toBeCloseTo(0.3 / 0.95, 1);
    expect(counts[2]! / n).toBeCloseTo(0.15 / 0.95, 1);
  });

  it('is reproducible with a seed', () => {
    const logits = Array.from({ length: 50 }, (_, i) => Math.sin(i));
    const draw = (seed: number): number[] => {
      const r = new SeededRandom(seed);
      return Array.from({ length: 40 }, () => sampleToken(logits, { temperature: 0.8, topP: 0.95 }, r));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('seeded random numbers are uniform enough in [0, 1)', () => {
    const r = new SeededRandom(0);
    let sum = 0;
    for (let i = 0; i < 10000; i += 1) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(sum / 10000).toBeCloseTo(0.5, 1);
  });
});
