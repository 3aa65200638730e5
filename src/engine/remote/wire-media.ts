import { writeFile } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LegoError } from '../../errors';
import type { MediaOptions } from '../../media/options';
import { resolveFfmpegBinaries } from '../../media/ffmpeg-binaries';
import { runFfmpeg } from '../../media/run-ffmpeg';
import { withTempDir } from '../../media/temp-workspace';
import type { ImageSpec, PreparedImage, PreparedMedia, PreparedVideo, VideoSpec } from '../types';
import type { WireContentPart } from './openai-wire';
import { tensorToPng } from './tensor-image';

/**
 * How a remote engine sends the request's media. A non-LEGO profile asked the media pipeline for the
 * source media at its budget (MediaSpec.source) and sends that as it is (`sourcePart` below). The `lego`
 * profile gets LEGO's tensors and turns them back into what LEGO-7B sees, losslessly:
 * - an image: the padded, resized square as a PNG (`spec.size`² pixels);
 * - a video: its sampled frames (padded squares) as PNGs in a Matroska file, each frame shown for one
 *   second (written 3 times at 3 fps), so a server that samples `frames` frames at the centres of equal
 *   bins (t = i + 0.5 s) lands inside frame i whether it rounds to the nearest frame, up or down.
 * Coordinates the remote model writes are then fractions of that square — LEGO's own model frame —
 * and spans fractions of the sent clip (`sentDurationSec`), whatever the remote model's native frame.
 */
export interface WireMedia {
  /** the content parts placed before the question (one image or clip, or timed frames) */
  parts: WireContentPart[];
  /** the image or frame size the remote model receives */
  sentSize: { width: number; height: number };
  /** the duration of the sent clip (video), seconds */
  sentDurationSec?: number;
  /** LEGO's padded square (boxes are fractions of it), or the source image at its own aspect ratio */
  frame: 'padded-square' | 'source';
}

async function imagePart(image: PreparedImage, spec: ImageSpec): Promise<WireMedia> {
  const png = await tensorToPng(image.pixelValues, spec);
  return {
    parts: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } }],
    sentSize: { width: spec.size, height: spec.size },
    frame: 'padded-square',
  };
}

/** copies of each frame, at this many frames per second: one second per sampled frame */
const COPIES = 3;

async function videoPart(video: PreparedVideo, spec: VideoSpec, media: MediaOptions, signal?: AbortSignal): Promise<WireMedia> {
  const plane = 3 * spec.size * spec.size;
  const frames = Math.floor(video.pixelValues.length / plane);
  const bytes = await withTempDir(media.tempDir, async (dir) => {
    for (let i = 0; i < frames; i += 1) {
      const png = await tensorToPng(video.pixelValues, spec, i * plane);
      for (let copy = 0; copy < COPIES; copy += 1) {
        await writeFile(join(dir, `frame-${String(i * COPIES + copy).padStart(6, '0')}.png`), png);
      }
    }
    const out = join(dir, 'clip.mkv');
    await runFfmpeg(
      (command) =>
        command
          .input(join(dir, 'frame-%06d.png'))
          .inputOptions(['-framerate', String(COPIES)])
          .outputOptions(['-c:v', 'png', '-r', String(COPIES)])
          .output(out),
      { binaries: resolveFfmpegBinaries(media), timeoutMs: media.ffmpegTimeoutMs, signal, kind: 'video' },
    );
    return readFile(out);
  });
  return {
    parts: [{ type: 'video_url', video_url: { url: `data:video/x-matroska;base64,${bytes.toString('base64')}` } }],
    sentSize: { width: spec.size, height: spec.size },
    sentDurationSec: frames,
    frame: 'padded-square',
  };
}

function dataUrl(bytes: Buffer, mime: string): string {
  return `data:${mime};base64,${bytes.toString('base64')}`;
}

/**
 * The source media a profile asked for (src/media/source-media.ts made it): the image as one
 * `image_url`; a clip as one `video_url`; timed frames as a caption (`frameLabel(time)`) before each
 * frame's `image_url`. Boxes are then fractions of the image as sent (the displayed image: aspect kept)
 * and times seconds of the real clip.
 */
function sourcePart(media: PreparedMedia, frameLabel: (seconds: number) => string): WireMedia {
  if (media.kind === 'image') {
    if (media.source === undefined) throw new LegoError('engine-failed', 'this remote profile sends the source image, but the media came as a tensor only', { retryable: false });
    const { bytes, mime, width, height } = media.source;
    return { parts: [{ type: 'image_url', image_url: { url: dataUrl(bytes, mime) } }], sentSize: { width, height }, frame: 'source' };
  }
  const source = media.source;
  if (source === undefined) throw new LegoError('engine-failed', 'this remote profile sends the source video, but the media came as a tensor only', { retryable: false });
  if (source.kind === 'clip') {
    return {
      parts: [{ type: 'video_url', video_url: { url: dataUrl(source.bytes, source.mime) } }],
      sentSize: { width: source.width, height: source.height },
      sentDurationSec: media.durationSec,
      frame: 'source',
    };
  }
  const parts: WireContentPart[] = source.frames.flatMap((f): WireContentPart[] => [
    { type: 'text', text: frameLabel(f.time) },
    { type: 'image_url', image_url: { url: dataUrl(f.image.bytes, f.image.mime) } },
  ]);
  const first = source.frames[0]?.image;
  return { parts, sentSize: { width: first?.width ?? media.size.width, height: first?.height ?? media.size.height }, sentDurationSec: media.durationSec, frame: 'source' };
}

/**
 * The request's media as content parts (see WireMedia): LEGO's padded square (from the tensor,
 * losslessly) when `how` is `padded`, else the source media the profile asked for.
 */
export function wireMedia(
  media: PreparedMedia,
  spec: { image: ImageSpec | null; video: VideoSpec | null },
  options: MediaOptions,
  signal?: AbortSignal,
  how: { padded: boolean; frameLabel: (seconds: number) => string } = { padded: true, frameLabel: (t) => `${t.toFixed(1)} s` },
): Promise<WireMedia> {
  if (!how.padded) return Promise.resolve(sourcePart(media, how.frameLabel));
  if (media.kind === 'image') {
    if (spec.image === null) throw new TypeError('an image for an engine without an image spec');
    return imagePart(media, spec.image);
  }
  if (spec.video === null) throw new TypeError('a video for an engine without a video spec');
  return videoPart(media, spec.video, options, signal);
}
