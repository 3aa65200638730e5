/**
 * Where clip i of `count` is centred in a sound of `length` samples: (i + 0.5)·length/count rounded,
 * halves up, in integer arithmetic (no float ties) — ((2i + 1)·length + count) div (2·count), as the
 * recipe computes it (models/lego-tiny/recipe/audio_features.py).
 */
export function clipCentre(i: number, count: number, length: number): number {
  return Math.floor(((2 * i + 1) * length + count) / (2 * count));
}

/**
 * `count` clips of `clipSamples` samples spread over `samples` (the audio contract): clip i covers
 * [c − clipSamples/2, c + clipSamples/2) around its centre c, with zeros where that falls outside the
 * sound. Returns [count × clipSamples], clip after clip.
 */
export function cutClips(samples: Float32Array, count: number, clipSamples: number): Float32Array {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`clip count must be a positive integer, got ${count}`);
  if (!Number.isInteger(clipSamples) || clipSamples < 1) throw new RangeError(`clip length must be a positive integer, got ${clipSamples}`);
  const out = new Float32Array(count * clipSamples);
  const half = Math.floor(clipSamples / 2);
  for (let i = 0; i < count; i += 1) {
    const start = clipCentre(i, count, samples.length) - half;
    const from = Math.max(0, start);
    const to = Math.min(samples.length, start + clipSamples);
    if (to > from) out.set(samples.subarray(from, to), i * clipSamples + (from - start));
  }
  return out;
}
