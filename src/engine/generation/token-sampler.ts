import type { SeededRandom } from './seeded-random';

export interface SamplingSettings {
  /** 0 (or less) = greedy */
  temperature: number;
  /** nucleus: keep the smallest set of most likely tokens whose probability reaches top_p; 1 = all */
  topP: number;
}

/** The index of the largest value; the first one on ties (as torch.argmax). NaN never wins. */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i += 1) {
    const v = logits[i]!;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/**
 * Picks the next token from one row of logits: greedy when temperature <= 0, otherwise softmax at that
 * temperature, cut to the top-p nucleus, drawn with the seeded generator.
 */
export function sampleToken(logits: ArrayLike<number>, settings: SamplingSettings, random: SeededRandom): number {
  if (!(settings.temperature > 0)) return argmax(logits);
  const n = logits.length;
  const top = argmax(logits);
  const max = logits[top]!;
  if (!Number.isFinite(max)) return top;
  const probs = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i += 1) {
    const v = logits[i]!;
    const p = Number.isNaN(v) ? 0 : Math.exp((v - max) / settings.temperature);
    probs[i] = p;
    sum += p;
  }
  const topP = Math.min(1, Math.max(0, settings.topP));
  const nucleus = nucleusOf(probs, sum, topP);
  let mass = 0;
  for (const i of nucleus) mass += probs[i]!;
  let r = random.next() * mass;
  for (const i of nucleus) {
    r -= probs[i]!;
    if (r < 0) return i;
  }
  return nucleus[nucleus.length - 1] ?? top;
}

/**
 * The indices of the top-p nucleus, most likely first. Looks only at candidates above a falling
 * threshold, so a 32k vocabulary at a low temperature does not need a full sort.
 */
function nucleusOf(probs: Float64Array, sum: number, topP: number): number[] {
  const target = topP * sum;
  let maxP = 0;
  for (const p of probs) if (p > maxP) maxP = p;
  for (let threshold = maxP * 1e-3; ; threshold *= 1e-3) {
    const candidates: number[] = [];
    let candidateMass = 0;
    for (let i = 0; i < probs.length; i += 1) {
      if (probs[i]! >= threshold) {
        candidates.push(i);
        candidateMass += probs[i]!;
      }
    }
    if (candidateMass >= target || threshold === 0 || candidates.length === probs.length) {
      candidates.sort((x, y) => probs[y]! - probs[x]! || x - y);
      const out: number[] = [];
      let acc = 0;
      for (const i of candidates) {
        out.push(i);
        acc += probs[i]!;
        if (acc >= target) break;
      }
      return out;
    }
    if (threshold < 1e-300) threshold = 0;
  }
}
