import { z } from 'zod';
import { LegoError } from '../errors';

/** How `sampleVideo` reads its frames; see `planFrameSampling`. */
export type FrameSamplingStrategy = 'auto' | 'seek' | 'decode';

/**
 * Limits and tools of the media pipeline. Every field has a default (`DEFAULT_MEDIA_OPTIONS`); the
 * central config loader composes `mediaOptionsSchema` into its own schema.
 */
export interface MediaOptions {
  /** Largest image file accepted, in bytes. */
  maxImageBytes: number;
  /** Largest image accepted, in pixels (width × height of the first frame), checked from the header before decoding. */
  maxImagePixels: number;
  /** Longest image side accepted, in pixels, checked from the header before decoding. */
  maxImageSide: number;
  /** Largest video (or audio) file accepted, in bytes. */
  maxVideoBytes: number;
  /** Longest video accepted (its soundtrack included), in seconds. */
  maxDurationSec: number;
  /** Largest sound file accepted (wav, mp3, ogg/opus voice message, m4a…), in bytes. */
  maxAudioBytes: number;
  /** Longest sound file accepted, in seconds. */
  maxAudioDurationSec: number;
  /** Longest video side accepted, in pixels (as stored, before rotation). */
  maxVideoSide: number;
  /** Largest video frame accepted, in pixels (width × height). */
  maxVideoPixels: number;
  /** Time limit of one ffmpeg run in milliseconds; the process is killed when it runs over. */
  ffmpegTimeoutMs: number;
  /** Time limit of one ffprobe run in milliseconds; the process is killed when it runs over. */
  ffprobeTimeoutMs: number;
  /** ffmpeg binary; unset = the one shipped by `@ffmpeg-installer/ffmpeg` (e.g. `/usr/bin/ffmpeg` for Debian's). */
  ffmpegPath: string | undefined;
  /** ffprobe binary; unset = the one shipped by `@ffprobe-installer/ffprobe`. */
  ffprobePath: string | undefined;
  /** Folder for temporary files of ffmpeg runs (always removed afterwards); unset = the OS temp folder. */
  tempDir: string | undefined;
  /** Longest side of the frames that video sampling returns (smaller videos keep their size). */
  frameMaxSide: number;
  /**
   * How frames are sampled: `seek` opens the clip once per frame with fast seeking, `decode` decodes it
   * once from the start, `auto` picks the cheaper from the clip's keyframe index.
   */
  frameSampling: FrameSamplingStrategy;
  /**
   * How far a frame read by seeking may move to a keyframe, as a share of the spacing between frames
   * (0.25: a quarter of it; 0: the exact times). A keyframe is decoded alone, any other frame from the
   * keyframe before it: a 60 s 1080p clip with a keyframe a second decodes 16 frames, not ~350.
   */
  keyframeSnap: number;
  /**
   * Most frames read by seeking in one ffmpeg run for 1080p video (each is one open decoder, ~12 MB at
   * 1080p); proportionally fewer for larger frames; more frames use `decode`.
   */
  maxSeekInputs: number;
  /**
   * Bytes that image decodes and renders running at once may hold (a worst-case estimate per decode:
   * the frame at its shrink-on-load size); more wait their turn. One decode dearer than this runs alone.
   */
  decodeMemoryBytes: number;
}

/** What an image decode needs of the options: the header limits, and the decode budget (default if absent). */
export type ImageLimits = Pick<MediaOptions, 'maxImageBytes' | 'maxImagePixels' | 'maxImageSide'> &
  Partial<Pick<MediaOptions, 'decodeMemoryBytes'>>;

/** The input of `resolveMediaOptions`: any subset of the options. */
export type MediaOptionsInput = Partial<MediaOptions>;

const MiB = 1024 * 1024;

export const DEFAULT_MEDIA_OPTIONS = {
  maxImageBytes: 32 * MiB,
  maxImagePixels: 64_000_000,
  maxImageSide: 16_384,
  maxVideoBytes: 256 * MiB,
  maxDurationSec: 600,
  maxAudioBytes: 32 * MiB,
  maxAudioDurationSec: 300,
  maxVideoSide: 4096,
  maxVideoPixels: 4096 * 2160,
  ffmpegTimeoutMs: 60_000,
  ffprobeTimeoutMs: 15_000,
  ffmpegPath: undefined,
  ffprobePath: undefined,
  tempDir: undefined,
  frameMaxSide: 768,
  frameSampling: 'auto',
  keyframeSnap: 0.25,
  maxSeekInputs: 32,
  decodeMemoryBytes: 256 * MiB,
} as const satisfies MediaOptions;

const positiveInt = z.number().int().positive();
const optionalPath = z.string().min(1).optional();

/** zod schema of `MediaOptions`; every field is optional and defaulted. */
export const mediaOptionsSchema = z.object({
  maxImageBytes: positiveInt.default(DEFAULT_MEDIA_OPTIONS.maxImageBytes).describe('largest image file, bytes'),
  maxImagePixels: positiveInt.default(DEFAULT_MEDIA_OPTIONS.maxImagePixels).describe('largest image, pixels'),
  maxImageSide: positiveInt.default(DEFAULT_MEDIA_OPTIONS.maxImageSide).describe('longest image side, pixels'),
  maxVideoBytes: positiveInt.default(DEFAULT_MEDIA_OPTIONS.maxVideoBytes).describe('largest video file, bytes'),
  maxDurationSec: z.number().positive().default(DEFAULT_MEDIA_OPTIONS.maxDurationSec).describe('longest video, seconds'),
  maxAudioBytes: positiveInt.default(DEFAULT_MEDIA_OPTIONS.maxAudioBytes).describe('largest sound file, bytes'),
  maxAudioDurationSec: z
    .number()
    .positive()
    .default(DEFAULT_MEDIA_OPTIONS.maxAudioDurationSec)
    .describe('longest sound file, seconds'),
  maxVideoSide: positiveInt.default(DEFAULT_MEDIA_OPTIONS.maxVideoSide).describe('longest video side, pixels'),
  maxVideoPixels: positiveInt.default(DEFAULT_MEDIA_OPTIONS.maxVideoPixels).describe('largest video frame, pixels'),
  ffmpegTimeoutMs: positiveInt.default(DEFAULT_MEDIA_OPTIONS.ffmpegTimeoutMs).describe('ffmpeg time limit, ms'),
  ffprobeTimeoutMs: positiveInt.default(DEFAULT_MEDIA_OPTIONS.ffprobeTimeoutMs).describe('ffprobe time limit, ms'),
  ffmpegPath: optionalPath.describe('ffmpeg binary (default: @ffmpeg-installer/ffmpeg)'),
  ffprobePath: optionalPath.describe('ffprobe binary (default: @ffprobe-installer/ffprobe)'),
  tempDir: optionalPath.describe('folder for temporary files (default: the OS temp folder)'),
  frameMaxSide: positiveInt.default(DEFAULT_MEDIA_OPTIONS.frameMaxSide).describe('longest side of sampled frames'),
  frameSampling: z
    .enum(['auto', 'seek', 'decode'])
    .default(DEFAULT_MEDIA_OPTIONS.frameSampling)
    .describe('frame sampling strategy'),
  keyframeSnap: z
    .number()
    .min(0)
    .max(0.5)
    .default(DEFAULT_MEDIA_OPTIONS.keyframeSnap)
    .describe('how far a seeked frame may move to a keyframe, share of the frame spacing'),
  maxSeekInputs: positiveInt.default(DEFAULT_MEDIA_OPTIONS.maxSeekInputs).describe('most frames read by seeking'),
  decodeMemoryBytes: positiveInt
    .default(DEFAULT_MEDIA_OPTIONS.decodeMemoryBytes)
    .describe('bytes that image decodes and renders at once may hold'),
});

// Compile-time checks that the schema and the documented interface agree.
type SchemaOutput = z.output<typeof mediaOptionsSchema>;
type AllKeysPresent<T> = { [K in keyof Required<T>]: T[K] };
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const schemaMatchesInterface: Exact<AllKeysPresent<SchemaOutput>, MediaOptions> = true;
void schemaMatchesInterface;

/**
 * Validate partial options and fill in the defaults. Throws a `config-invalid` LegoError naming the
 * first bad setting.
 */
export function resolveMediaOptions(input: MediaOptionsInput = {}): MediaOptions {
  const parsed = mediaOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `media.${issue.path.join('.')}` : 'media';
    throw new LegoError('config-invalid', `${where}: ${issue?.message ?? 'invalid'}`, {
      cause: parsed.error,
      details: { setting: where },
    });
  }
  const value = parsed.data;
  return {
    ...value,
    ffmpegPath: value.ffmpegPath,
    ffprobePath: value.ffprobePath,
    tempDir: value.tempDir,
  };
}
