import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { MediaSpec, PreparedImage, PreparedVideo, SourceImage, SourceImageSpec, SourceVideoSpec } from '../engine/types';
import type { ImageSize } from '../grounding/types';
import { qwenSmartResize } from '../grounding/syntaxes/qwen-smart-resize';
import { resolveFfmpegBinaries } from './ffmpeg-binaries';
import { inspectImage } from './image-info';
import { decodeCost, orientedPipeline, underDecodeBudget } from './image-pipeline';
import { materialiseMedia } from './media-input';
import type { MediaSource } from './media-input';
import { fromSharpError, unsupportedMediaError } from './media-errors';
import { prepareImage } from './prepare-image';
import type { ImageLimits, MediaOptions } from './options';
import { DEFAULT_MEDIA_OPTIONS } from './options';
import type { RawImage } from './raw-image';
import { runFfmpeg } from './run-ffmpeg';
import type { SampledFrame, SampleVideoCallOptions } from './sample-video';
import { sampleVideo } from './sample-video';
import { withTempDir } from './temp-workspace';

/**
 * The size a W×H image is sent at within a budget: the aspect ratio kept, never enlarged, the longest
 * side at most `maxSide` and the area at most `maxPixels`; with `multipleOf` > 1 both sides are
 * multiples of it, rounded as Qwen's `smart_resize` rounds, so that such a server's own resize leaves
 * the image exactly as sent.
 */
export function sourceSize(size: ImageSize, budget: Pick<SourceImageSpec, 'maxSide' | 'maxPixels' | 'multipleOf'>): ImageSize {
  const { width: w, height: h } = size;
  const scale = Math.min(1, budget.maxSide / Math.max(w, h), Math.sqrt(budget.maxPixels / (w * h)));
  const fitted = { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
  const f = Math.max(1, Math.floor(budget.multipleOf));
  if (f === 1) return fitted;
  return qwenSmartResize(fitted, { factor: f, minPixels: f * f, maxPixels: Math.max(f * f, budget.maxPixels) });
}

/**
 * An image as a model of another family should see it (src/engine/remote profiles): the first frame,
 * EXIF orientation applied, flattened on white, sRGB, resized to `sourceSize` of the budget in one
 * libvips pipeline (JPEG shrink-on-load), as JPEG. `size` is the image as displayed; the tensor is
 * left empty. The limits are checked from the header before anything is decoded.
 */
export async function prepareSourceImage(
  bytes: Uint8Array,
  budget: SourceImageSpec,
  limits: ImageLimits = DEFAULT_MEDIA_OPTIONS,
): Promise<PreparedImage> {
  const info = await inspectImage(bytes, limits);
  const sent = sourceSize(info.size, budget);
  // the same checked, budgeted pipeline as the tensor path (image-pipeline.ts), to a JPEG at `sent`
  const jpeg = await underDecodeBudget(limits, decodeCost(info, Math.max(sent.width, sent.height), sent.width * sent.height * 3), async () => {
    try {
      return await orientedPipeline(bytes, limits)
        .resize({ width: sent.width, height: sent.height, fit: 'fill', kernel: 'lanczos3' })
        .jpeg({ quality: budget.quality })
        .toBuffer();
    } catch (error) {
      throw fromSharpError(error);
    }
  });
  return { kind: 'image', size: info.size, pixelValues: new Float32Array(0), source: { bytes: jpeg, mime: 'image/jpeg', ...sent } };
}

async function frameJpeg(image: RawImage, size: ImageSize, quality: number): Promise<SourceImage> {
  const bytes = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .resize({ width: size.width, height: size.height, fit: 'fill' })
    .removeAlpha()
    .jpeg({ quality })
    .toBuffer();
  return { bytes, mime: 'image/jpeg', ...size };
}

export interface PreparedSourceVideo {
  prepared: PreparedVideo;
  /** frames for the reply's timeline (keyframes) */
  frames: SampledFrame[];
}

/**
 * A video as a model of another family should get it:
 * - `clip`: the clip itself, upright (rotation metadata applied), scaled to `sourceSize` of the budget,
 *   at most `fps` frames a second, H.264 in MP4, no sound — its timestamps are the real clip's, so the
 *   server's own sampling and time answers are seconds of the original;
 * - `frames`: `round(duration × fps)` frames (within minFrames..maxFrames) at the centres of equal bins,
 *   each a JPEG at the budget, with its time in seconds.
 * `keyframes` frames (at most `keyframeSide` px) come back for the timeline picture either way.
 */
export async function prepareSourceVideo(
  source: MediaSource,
  budget: SourceVideoSpec,
  options: MediaOptions = DEFAULT_MEDIA_OPTIONS,
  call: SampleVideoCallOptions & { keyframes?: number; keyframeSide?: number } = {},
): Promise<PreparedSourceVideo> {
  const window = call.window;
  const first = await sampleVideo(source, call.keyframes ?? 16, options, { signal: call.signal, frameMaxSide: call.keyframeSide ?? 320, window });
  const sent = sourceSize(first.size, { ...budget, multipleOf: Math.max(2, budget.multipleOf) });
  const base = { kind: 'video' as const, size: first.size, durationSec: first.durationSec, pixelValues: new Float32Array(0) };
  if (budget.kind === 'frames') {
    const count = Math.min(budget.maxFrames, Math.max(budget.minFrames, Math.round(first.durationSec * budget.fps)));
    const sampled = await sampleVideo(source, count, options, { signal: call.signal, frameMaxSide: Math.max(sent.width, sent.height), window });
    const frames = await Promise.all(sampled.frames.map(async (f) => ({ time: f.time, image: await frameJpeg(f.image, sent, budget.quality) })));
    return { prepared: { ...base, frameTimes: frames.map((f) => f.time), source: { kind: 'frames', frames } }, frames: first.frames };
  }
  const bytes = await withTempDir(options.tempDir, async (dir) => {
    const file = await materialiseMedia(source, dir, options.maxVideoBytes, new Set(['video']));
    const out = join(dir, 'sent.mp4');
    await runFfmpeg(
      (command) =>
        command
          .input(file.path)
          // a stretch of the video (a zoom in time): its seconds only, starting at 0
          .inputOptions(window === undefined ? [] : ['-ss', window.start.toFixed(3)])
          .outputOptions(window === undefined ? [] : ['-t', first.durationSec.toFixed(3)])
          .outputOptions([
            '-map', '0:v:0', '-an', '-sn',
            '-vf', `fps=${budget.fps},scale=${sent.width}:${sent.height}:flags=area,setsar=1`,
            '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-movflags', '+faststart',
          ])
          .output(out),
      { binaries: resolveFfmpegBinaries(options), timeoutMs: options.ffmpegTimeoutMs, signal: call.signal, kind: 'video' },
    );
    return readFile(out);
  });
  return {
    prepared: { ...base, frameTimes: first.frames.map((f) => f.time), source: { kind: 'clip', bytes, mime: 'video/mp4', ...sent } },
    frames: first.frames,
  };
}

/**
 * An image prepared as the engine's MediaSpec asks: the oriented source at its budget when it asks
 * for the source (a remote profile), else the tensor (`prepareImage`).
 */
export async function prepareImageFor(
  spec: MediaSpec,
  bytes: Uint8Array,
  limits: Pick<MediaOptions, 'maxImageBytes' | 'maxImagePixels' | 'maxImageSide'> = DEFAULT_MEDIA_OPTIONS,
): Promise<PreparedImage> {
  const budget = spec.source?.image;
  if (budget !== undefined && budget !== null) return prepareSourceImage(bytes, budget, limits);
  if (spec.image === null) throw unsupportedMediaError('the engine reads no images', 'video');
  return prepareImage(bytes, spec.image, limits);
}
