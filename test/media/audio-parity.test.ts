import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleManifestSchema } from '../../src/engine/onnx/bundle-manifest';
import { audioSpecOf } from '../../src/engine/onnx/manifest-media-spec';
import { clipCentre } from '../../src/media/audio-clips';
import { audioFeatures } from '../../src/media/audio-prepare';
import { extractAudio } from '../../src/media/extract-audio';
import { DEFAULT_MEDIA_OPTIONS } from '../../src/media/options';

/** The recipe's own features of its committed sample sounds (models/lego-tiny/recipe/make_audio_fixtures.py). */
const FIXTURES = path.resolve(__dirname, '../../models/lego-tiny/recipe/tests/fixtures');

interface FixtureCase {
  name: string;
  wav: string;
  features: string;
  samples: number;
  clips: number;
  shape: number[];
  clip_centres: number[];
}

const index = JSON.parse(readFileSync(path.join(FIXTURES, 'audio-fixtures.json'), 'utf8')) as { audio: unknown; cases: FixtureCase[] };
const spec = audioSpecOf(bundleManifestSchema.shape.media.shape.audio.parse(index.audio)!);

/**
 * The largest difference the TypeScript features may show against the recipe's, after normalisation.
 * Both sides compute in double precision and round to float32 once: measured 0 on every sample.
 */
const PARITY_TOLERANCE = 1e-4;

function readF32(file: string): Float32Array {
  const bytes = readFileSync(file);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

describe('audio features against the recipe (decoded with ffmpeg from its WAVs)', () => {
  it('has samples of a sound and of a soundtrack to compare', () => {
    expect(index.cases.map((c) => c.clips).sort()).toEqual(expect.arrayContaining([spec.clips, spec.soundtrackClips]));
  });

  it.each(index.cases.map((c) => [c.name, c] as const))(
    `matches the recipe's features of %s within ${PARITY_TOLERANCE}`,
    async (_name, c) => {
      const audio = await extractAudio(path.join(FIXTURES, c.wav), DEFAULT_MEDIA_OPTIONS, { sampleRate: spec.sampleRate });
      expect(audio.samples.length).toBe(c.samples);
      expect(Array.from({ length: c.clips }, (_, i) => clipCentre(i, c.clips, c.samples))).toEqual(c.clip_centres);
      const prepared = audioFeatures(audio.samples, spec, c.clips === spec.clips ? 'sound' : 'soundtrack');
      const expected = readF32(path.join(FIXTURES, c.features));
      expect([prepared.clips, spec.features.nMels, spec.features.frames]).toEqual(c.shape);
      expect(prepared.features.length).toBe(expected.length);
      let max = 0;
      for (let i = 0; i < expected.length; i += 1) max = Math.max(max, Math.abs(prepared.features[i]! - expected[i]!));
      expect(max).toBeLessThanOrEqual(PARITY_TOLERANCE);
    },
  );
});
