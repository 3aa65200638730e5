import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageSize, SecondSpan } from '../grounding/types';
import { LegoError } from '../errors';
import { resolveFfmpegBinaries } from './ffmpeg-binaries';
import type { MediaSource } from './media-input';
import { materialiseMedia } from './media-input';
import { corruptMediaError, noVideoStreamError, videoResolutionError, videoTooLongError } from './media-errors';
import type { MediaOptions } from './options';
import { DEFAULT_MEDIA_OPTIONS } from './options';
import { probeMedia } from './probe-media';
import { runFfmpeg } from './run-ffmpeg';
import { withTempDir } from './temp-workspace';

export interface ClipSpanOptions {
  /** longest clip cut, in seconds (default 30); a longer span is cut to its first seconds */
  maxSeconds?: number;
  /** longest side of the clip (default 720), never enlarged */
  maxSide?: number;
  signal?: AbortSignal | undefined;
}

export interface SpanClip {
  /** H.264/AAC MP4, fast-start, upright */
  mp4: Buffer;
  /** the part of the source it shows, in seconds */
  span: SecondSpan;
  size: ImageSize;
}

/** Even dimensions (H.264 4:2:0 needs them) that fit `maxSide`. */
function clipSize(size: ImageSize, maxSide: number): ImageSize {
  const scale = Math.min(1, maxSide / Math.max(size.width, size.height));
  const even = (v: number): number => Math.max(2, 2 * Math.round((v * scale) / 2));
  return { width: even(size.width), height: even(size.height) };
}

/**
 * Cut a short MP4 of one span of a video (for "show me [2]"), re-encoded small and upright, sound
 * kept when there is some. One time-limited ffmpeg run with fast seeking; temp files are removed.
 */
export async function clipSpan(
  source: MediaSource,
  span: SecondSpan,
  options: MediaOptions = DEFAULT_MEDIA_OPTIONS,
  call: ClipSpanOptions = {},
): Promise<SpanClip> {
  if (!Number.isFinite(span.start) || !Number.isFinite(span.end)) {
    throw new LegoError('bad-input', `invalid span ${JSON.stringify(span)}`);
  }
  const binaries = resolveFfmpegBinaries(options);
  return withTempDir(options.tempDir, async (dir) => {
    const file = await materialiseMedia(source, dir, options.maxVideoBytes, new Set(['video', 'audio']));
    const probe = await probeMedia(file.path, { binaries, timeoutMs: options.ffprobeTimeoutMs, signal: call.signal });
    const video = probe.video;
    if (!video) throw noVideoStreamError();
    if (Math.max(video.width, video.height) > options.maxVideoSide || video.width * video.height > options.maxVideoPixels) {
      throw videoResolutionError(video.width, video.height, options.maxVideoSide);
    }
    const duration = video.durationSec ?? probe.formatDurationSec;
    if (Number.isFinite(duration) && duration > options.maxDurationSec) throw videoTooLongError(duration, options.maxDurationSec);
    const limit = Number.isFinite(duration) ? duration : Infinity;
    const start = Math.max(0, Math.min(span.start, span.end, limit));
    const end = Math.min(Math.max(span.start, span.end), limit, start + (call.maxSeconds ?? 30));
    const length = Math.max(0.1, end - start);
    const size = clipSize(video.size, call.maxSide ?? 720);
    const output = join(dir, 'clip.mp4');
    await runFfmpeg(
      (command) =>
        command
          .input(file.path)
          .inputOptions(['-nostdin', '-hide_banner', '-nostats', '-loglevel', 'error', '-ss', start.toFixed(6)])
          .output(output)
          .outputOptions(['-t', length.toFixed(6), '-map', `0:${video.index}`, '-map', '0:a:0?'])
          .outputOptions(['-vf', `scale=${size.width}:${size.height},setsar=1`, '-c:v', 'libx264', '-preset', 'veryfast'])
          .outputOptions(['-crf', '26', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart', '-f', 'mp4']),
      { binaries, timeoutMs: options.ffmpegTimeoutMs, signal: call.signal, kind: 'video' },
    );
    const mp4 = await readFile(output).catch(() => Buffer.alloc(0));
    if (mp4.length === 0) throw corruptMediaError('video', 'the clip came out empty');
    return { mp4, span: { start, end: start + length }, size };
  });
}
