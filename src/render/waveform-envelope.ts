/** The min and max sample of each pixel column of a waveform strip. */
export interface WaveformEnvelope {
  min: Float32Array;
  max: Float32Array;
}

/**
 * The envelope of decoded mono samples (in [-1, 1]) over `columns` pixel columns: column i covers
 * samples [floor(i·n/columns), floor((i+1)·n/columns)) and keeps their min and max (a column with no
 * sample of its own, when there are fewer samples than columns, takes the sample under it). Values are
 * clamped to [-1, 1]; no samples gives a flat line at 0.
 */
export function waveformEnvelope(samples: Float32Array, columns: number): WaveformEnvelope {
  const count = Math.max(0, Math.floor(columns));
  const min = new Float32Array(count);
  const max = new Float32Array(count);
  const n = samples.length;
  if (n === 0) return { min, max };
  for (let i = 0; i < count; i += 1) {
    const from = Math.floor((i * n) / count);
    const to = Math.max(from + 1, Math.floor(((i + 1) * n) / count));
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let j = from; j < Math.min(to, n); j += 1) {
      const v = samples[j]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === Number.POSITIVE_INFINITY) lo = hi = 0;
    min[i] = Math.max(-1, Math.min(1, Number.isFinite(lo) ? lo : 0));
    max[i] = Math.max(-1, Math.min(1, Number.isFinite(hi) ? hi : 0));
  }
  return { min, max };
}
