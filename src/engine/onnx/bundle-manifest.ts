import path from 'node:path';
import { z } from 'zod';
import { LegoError } from '../../errors';

/** The manifest versions this engine reads (docs/bundle-format.md). */
export const SUPPORTED_MANIFEST_VERSIONS: readonly number[] = [1];

const positiveInt = z.number().int().positive();
const rgb = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]);
const triple = z.tuple([z.number(), z.number(), z.number()]);
const positiveTriple = z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]);
/** A path inside the bundle folder: relative, no `..`. */
const bundlePath = z
  .string()
  .min(1)
  .refine((p) => !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..'), 'must be a relative path inside the bundle');

const mediaTokens = {
  start: z.string().min(1),
  patch: z.string().min(1),
  end: z.string().min(1),
  /** embeddings that replace the patch tokens */
  tokens: positiveInt,
};
const imageMedia = z.object({ ...mediaTokens, size: positiveInt, pad_rgb: rgb, mean: triple, std: positiveTriple });
const videoMedia = imageMedia.extend({ frames: positiveInt, sampling: z.string().optional() });
/** The audio contract's features (docs/bundle-format.md): only what the TypeScript side computes. */
const logMelFeatures = z.object({
  kind: z.literal('log-mel'),
  n_fft: positiveInt,
  win_length: positiveInt,
  hop_length: positiveInt,
  window: z.literal('hann-periodic'),
  center: z.literal(false),
  power: z.number().positive(),
  n_mels: positiveInt,
  f_min: z.number().min(0),
  f_max: z.number().positive(),
  mel_scale: z.literal('htk'),
  mel_norm: z.null(),
  log: z.literal('ln'),
  log_floor: z.number().positive(),
  mean: z.number(),
  std: z.number().positive(),
  frames: positiveInt,
});
const audioMedia = z.object({
  ...mediaTokens,
  sample_rate: positiveInt,
  clip_seconds: z.number().positive(),
  /** clips spread over a sound file */
  clips: positiveInt,
  /** clips spread over a video's soundtrack */
  soundtrack_clips: positiveInt,
  features: logMelFeatures,
});

export const bundleManifestSchema = z.object({
  format: z.literal('lego-bundle'),
  version: z.number().int(),
  name: z.string().min(1),
  description: z.string().default(''),
  files: z.object({
    tokenizer: bundlePath,
    embed_tokens: bundlePath,
    decoder: bundlePath,
    vision_encoder: bundlePath.nullable().default(null),
    video_encoder: bundlePath.nullable().default(null),
    audio_encoder: bundlePath.nullable().default(null),
  }),
  decoder: z.object({
    hidden_size: positiveInt,
    num_layers: positiveInt,
    num_heads: positiveInt,
    head_dim: positiveInt,
    vocab_size: positiveInt,
    max_positions: positiveInt,
  }),
  prompt: z.object({
    system: z.string(),
    sep: z.string().min(1),
    user_role: z.string().min(1),
    assistant_role: z.string().min(1),
    stop: z.array(z.string().min(1)).default([]),
  }),
  special_tokens: z.looseObject({
    pad: z.string().min(1),
    unk: z.string().min(1).optional(),
    sep: z.string().min(1).optional(),
    eos: z.string().min(1).optional(),
  }),
  media: z.object({
    image: imageMedia.nullable().default(null),
    video: videoMedia.nullable().default(null),
    audio: audioMedia.nullable().default(null),
  }),
  fusion: z
    .object({
      query: z.literal('user-turns-latest-first'),
      separator: z.string().min(1),
      max_tokens: positiveInt,
    })
    .nullable()
    .default(null),
  grounding: z
    .object({
      syntax: z.literal('lego'),
      box_decimals: z.number().int().min(0).max(6).default(3),
      span_decimals: z.number().int().min(0).max(6).default(2),
      box_frame: z.literal('padded-square').default('padded-square'),
    })
    .default({ syntax: 'lego', box_decimals: 3, span_decimals: 2, box_frame: 'padded-square' }),
  generation: z
    .object({
      temperature: z.number().min(0).default(0.2),
      top_p: z.number().gt(0).max(1).default(0.9),
      max_new_tokens: positiveInt.default(256),
    })
    .default({ temperature: 0.2, top_p: 0.9, max_new_tokens: 256 }),
});

/** A validated manifest.json (docs/bundle-format.md), with defaults filled in. */
export type BundleManifest = z.infer<typeof bundleManifestSchema>;

/**
 * Validates the contents of manifest.json. Throws LegoError('bundle-invalid') naming the file and the
 * problem: not JSON, an unknown format or version, a missing or mistyped field.
 */
export function parseBundleManifest(json: unknown, file = 'manifest.json'): BundleManifest {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalid(file, 'is not a JSON object');
  }
  const raw = json as Record<string, unknown>;
  if (raw.format !== 'lego-bundle') {
    throw invalid(file, `has format ${JSON.stringify(raw.format)}, expected "lego-bundle"`);
  }
  if (typeof raw.version !== 'number' || !SUPPORTED_MANIFEST_VERSIONS.includes(raw.version)) {
    throw invalid(
      file,
      `has unknown manifest version ${JSON.stringify(raw.version)} (this engine reads version ${SUPPORTED_MANIFEST_VERSIONS.join(', ')})`,
    );
  }
  const result = bundleManifestSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw invalid(file, `is not a valid bundle manifest: ${problems}`);
  }
  const m = result.data;
  if (m.media.image !== null && m.files.vision_encoder === null) throw invalid(file, 'has media.image but files.vision_encoder is null');
  if (m.media.video !== null && m.files.video_encoder === null) throw invalid(file, 'has media.video but files.video_encoder is null');
  if (m.media.image === null && m.files.vision_encoder !== null) throw invalid(file, 'has files.vision_encoder but media.image is null');
  if (m.media.video === null && m.files.video_encoder !== null) throw invalid(file, 'has files.video_encoder but media.video is null');
  if (m.media.audio !== null && m.files.audio_encoder === null) throw invalid(file, 'has media.audio but files.audio_encoder is null');
  if (m.media.audio === null && m.files.audio_encoder !== null) throw invalid(file, 'has files.audio_encoder but media.audio is null');
  if (m.media.audio !== null) checkAudio(file, m.media.audio);
  const patches = (['image', 'video', 'audio'] as const).flatMap((k) => (m.media[k] === null ? [] : [m.media[k].patch]));
  if (new Set(patches).size !== patches.length) throw invalid(file, `gives two media the same patch token (${patches.join(', ')})`);
  return m;
}

/** The audio section's numbers must agree with each other: the features are computed from them. */
function checkAudio(file: string, a: z.infer<typeof audioMedia>): void {
  const f = a.features;
  const clipSamples = Math.round(a.clip_seconds * a.sample_rate);
  if (f.win_length > f.n_fft) throw invalid(file, `has media.audio.features.win_length ${f.win_length} > n_fft ${f.n_fft}`);
  if (clipSamples < f.n_fft) throw invalid(file, `has media.audio clips of ${clipSamples} samples, shorter than n_fft ${f.n_fft}`);
  const frames = 1 + Math.floor((clipSamples - f.n_fft) / f.hop_length);
  if (frames !== f.frames) {
    throw invalid(file, `has media.audio.features.frames ${f.frames}, but clips of ${clipSamples} samples with n_fft ${f.n_fft} and hop ${f.hop_length} give ${frames}`);
  }
  if (!(f.f_min < f.f_max) || f.f_max > a.sample_rate / 2) {
    throw invalid(file, `has media.audio.features f_min ${f.f_min} / f_max ${f.f_max} outside 0 … ${a.sample_rate / 2} Hz`);
  }
}

function invalid(file: string, problem: string): LegoError {
  return new LegoError('bundle-invalid', `${file} ${problem}`, { details: { file } });
}
