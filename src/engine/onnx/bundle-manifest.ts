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
const audioMedia = z.looseObject({ ...mediaTokens });

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
  return m;
}

function invalid(file: string, problem: string): LegoError {
  return new LegoError('bundle-invalid', `${file} ${problem}`, { details: { file } });
}
