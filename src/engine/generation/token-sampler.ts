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
  const nucleus = topPNucleus(probs, sum, topP);
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
 * The indices (in vocabulary order) of the top-p nucleus: the most likely tokens whose probability
 * reaches `topP` of the total, ties at the cut resolved by index. The cut is found by selection
 * (linear time) among the candidates above a falling threshold, so a 32k vocabulary stays cheap.
 */
export function topPNucleus(probs: Float64Array, sum: number, topP: number): number[] {
  const target = topP * sum;
  // probabilities are exp((v − max)/T), so the largest is 1
  const buffer = new Float64Array(probs.length);
  let threshold = 1e-3;
  let values: Float64Array;
  for (;;) {
    let count = 0;
    let candidateMass = 0;
    for (let i = 0; i < probs.length; i += 1) {
      const p = probs[i]!;
      if (p >= threshold) {
        buffer[count] = p;
        count += 1;
        candidateMass += p;
      }
    }
    if (candidateMass >= target || threshold === 0 || count === probs.length) {
      values = buffer.subarray(0, count);
      break;
    }
    threshold = threshold < 1e-300 ? 0 : threshold * 1e-3;
  }
  const cut = massCut(values, target);
  let above = 0;
  const out: number[] = [];
  for (let i = 0; i < probs.length; i += 1) {
    if (probs[i]! > cut) {
      out.push(i);
      above += probs[i]!;
    }
  }
  // tokens exactly at the cut value: as many as the mass still needs (at least one), by index
  let atCut = cut > 0 ? Math.max(1, Math.ceil((target - above) / cut - 1e-9)) : 0;
  if (atCut > 0) {
    const ties: number[] = [];
    for (let i = 0; i < probs.length && atCut > 0; i += 1) {
      if (probs[i] === cut) {
        ties.push(i);
        atCut -= 1;
      }
    }
    return [...out, ...ties].sort((a, b) => a - b);
  }
  return out;
}

/**
 * The value v such that the values above v sum to less than `target` and the values at or above v
 * reach it (the smallest value in the nucleus). Quickselect on mass; reorders `values`.
 */
function massCut(values: Float64Array, target: number): number {
  let lo = 0;
  let hi = values.length;
  let need = target;
  while (hi - lo > 16) {
    const a = values[lo]!;
    const b = values[(lo + hi) >> 1]!;
    const c = values[hi - 1]!;
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    // three-way partition of [lo, hi): greater | equal | less
    let gt = lo;
    let i = lo;
    let lt = hi;
    while (i < lt) {
      const v = values[i]!;
      if (v > pivot) {
        values[i] = values[gt]!;
        values[gt] = v;
        gt += 1;
        i += 1;
      } else if (v < pivot) {
        lt -= 1;
        values[i] = values[lt]!;
        values[lt] = v;
      } else {
        i += 1;
      }
    }
    let greater = 0;
    for (let k = lo; k < gt; k += 1) greater += values[k]!;
    if (greater >= need) {
      hi = gt;
      continue;
    }
    const equal = (lt - gt) * pivot;
    if (greater + equal >= need) return pivot;
    need -= greater + equal;
    lo = lt;
  }
  const rest = values.subarray(lo, hi).sort().reverse();
  let acc = 0;
  for (const v of rest) {
    acc += v;
    if (acc >= need) return v;
  }
  return rest[rest.length - 1] ?? 0;
}
