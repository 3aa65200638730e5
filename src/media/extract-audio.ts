import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LegoError } from '../errors';
import { resolveFfmpegBinaries } from './ffmpeg-binaries';
import type { MediaSource } from './media-input';
import { materialiseMedia } from './media-input';
import { corruptMediaError, noAudioStreamError, videoTooLongError } from './media-errors';
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
 * in one time-limited ffmpeg run. A file without sound is a `bad-input` error.
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
    const file = await materialiseMedia(source, dir, options.maxVideoBytes, new Set(['video', 'audio']));
    const probe = await probeMedia(file.path, { binaries, timeoutMs: options.ffprobeTimeoutMs, signal: call.signal });
    const audio = probe.audio;
    if (!audio) throw noAudioStreamError();
    const duration = audio.durationSec ?? probe.formatDurationSec;
    const limit = Math.min(options.maxDurationSec, call.maxSeconds ?? Infinity);
    if (Number.isFinite(duration) && duration > options.maxDurationSec && call.maxSeconds === undefined) {
      throw videoTooLongError(duration, options.maxDurationSec);
    }
    const output = join(dir, 'audio.f32');
    await runFfmpeg(
      (command) =>
        command
          .input(file.path)
          .inputOptions(['-nostdin', '-hide_banner', '-nostats', '-loglevel', 'error'])
          .output(output)
          .outputOptions(['-map', `0:${audio.index}`, '-t', limit.toFixed(6), '-ac', '1', '-ar', String(sampleRate)])
          .outputOptions(['-f', 'f32le', '-acodec', 'pcm_f32le']),
      { binaries, timeoutMs: options.ffmpegTimeoutMs, signal: call.signal, kind: 'audio' },
    );
    const data = await readFile(output).catch(() => Buffer.alloc(0));
    if (data.length < 4) throw corruptMediaError('audio', 'no audio samples decoded');
    // Copy into an aligned buffer: a Float32Array view needs a 4-byte aligned offset.
    const samples = new Float32Array(Math.floor(data.length / 4));
    new Uint8Array(samples.buffer).set(data.subarray(0, samples.length * 4));
    return { samples, sampleRate, durationSec: samples.length / sampleRate };
  });
}
