import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LegoError } from '../errors';
import { resolveFfmpegBinaries } from './ffmpeg-binaries';
import type { MediaSource } from './media-input';
import { materialiseMedia } from './media-input';
import { audioTooLongError, corruptMediaError, fileTooLargeError, noAudioStreamError, videoTooLongError } from './media-errors';
import type { MediaOptions } from './options';
import { DEFAULT_MEDIA_OPTIONS } from './options';
import { probeMedia } from './probe-media';
import { runFfmpeg } from './run-ffmpeg';
import { withTempDir } from './temp-workspace';

export interface ExtractAudioOptions {
  /** samples per second of the result (default 16000) */
  sampleRate?: number;
  /** keep at most this many seconds from the start (default: all, up to `maxDurationSec`) */
  maxSeconds?: number;
  signal?: AbortSignal | undefined;
}

/** Mono PCM samples in −1..1. */
export interface ExtractedAudio {
  samples: Float32Array;
  sampleRate: number;
  durationSec: number;
}

/**
 * Decode the first audio stream of a video or audio file into mono float PCM (16 kHz by default),
 * in one time-limited ffmpeg run. A sound file is held to `maxAudioBytes`/`maxAudioDurationSec`, a
 * video's soundtrack to the video's limits. A file without sound is a `bad-input` error.
 */
export async function extractAudio(
  source: MediaSource,
  options: MediaOptions = DEFAULT_MEDIA_OPTIONS,
  call: ExtractAudioOptions = {},
): Promise<ExtractedAudio> {
  const sampleRate = call.sampleRate ?? 16_000;
  if (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 192_000) {
    throw new LegoError('bad-input', `unsupported sample rate ${sampleRate}`);
  }
  const binaries = resolveFfmpegBinaries(options);
  return withTempDir(options.tempDir, async (dir) => {
    const maxBytes = Math.max(options.maxVideoBytes, options.maxAudioBytes);
    const file = await materialiseMedia(source, dir, maxBytes, new Set(['video', 'audio']));
    const isSound = file.sniffed.kind === 'audio';
    // a sound file has limits of its own; a video's soundtrack those of the video
    if (isSound && file.bytes > options.maxAudioBytes) throw fileTooLargeError('audio', file.bytes, options.maxAudioBytes);
    if (!isSound && file.bytes > options.maxVideoBytes) throw fileTooLargeError('video', file.bytes, options.maxVideoBytes);
    const maxDuration = isSound ? options.maxAudioDurationSec : options.maxDurationSec;
    const tooLong = (seconds: number): LegoError => (isSound ? audioTooLongError(seconds, maxDuration) : videoTooLongError(seconds, maxDuration));
    const probe = await probeMedia(file.path, { binaries, timeoutMs: options.ffprobeTimeoutMs, signal: call.signal }).catch((error: unknown) => {
      throw isSound && LegoError.is(error, 'media-corrupt') ? corruptMediaError('audio', error.message, error) : error;
    });
    const audio = probe.audio;
    if (!audio) throw noAudioStreamError();
    const duration = audio.durationSec ?? probe.formatDurationSec;
    if (Number.isFinite(duration) && duration > maxDuration && call.maxSeconds === undefined) throw tooLong(duration);
    // Without a duration in the header (a streamed recording), decode a little past the limit to tell.
    const unknownLength = !Number.isFinite(duration) && call.maxSeconds === undefined;
    const limit = Math.min(maxDuration, call.maxSeconds ?? Infinity) + (unknownLength ? 0.5 : 0);
    const output = join(dir, 'audio.f32');
    await runFfmpeg(
      (command) =>
        command
          .input(file.path)
          .inputOptions(['-nostdin', '-hide_banner', '-nostats', '-loglevel', 'error'])
          .output(output)
          .outputOptions(['-map', `0:${audio.index}`, '-t', limit.toFixed(6), '-ac', '1', '-ar', String(sampleRate)])
          .outputOptions(['-f', 'f32le', '-acodec', 'pcm_f32le']),
      { binaries, timeoutMs: options.ffmpegTimeoutMs, signal: call.signal, kind: isSound ? 'audio' : 'video' },
    );
    const data = await readFile(output).catch(() => Buffer.alloc(0));
    if (data.length < 4) throw corruptMediaError('audio', 'no audio samples decoded');
    // Copy into an aligned buffer: a Float32Array view needs a 4-byte aligned offset.
    const samples = new Float32Array(Math.floor(data.length / 4));
    new Uint8Array(samples.buffer).set(data.subarray(0, samples.length * 4));
    const decodedSec = samples.length / sampleRate;
    if (unknownLength && decodedSec > maxDuration) throw tooLong(decodedSec);
    return { samples, sampleRate, durationSec: decodedSec };
  });
}
