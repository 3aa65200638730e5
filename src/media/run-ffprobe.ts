import { execFile } from 'node:child_process';
import type { FfmpegBinaries } from './ffmpeg-binaries';
import { abortedError, ffmpegMissingError, ffmpegTimeoutError } from './media-errors';
import { LegoError } from '../errors';

export interface RunFfprobeOptions {
  binaries: FfmpegBinaries;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** most bytes of output kept */
  maxOutputBytes?: number;
}

/**
 * Run ffprobe and return its stdout. (fluent-ffmpeg's own `ffprobe` has no time limit, so it is run
 * directly.) Killed with SIGKILL on time-out or abort; a non-zero exit is a `media-corrupt` error.
 */
export function runFfprobe(args: readonly string[], options: RunFfprobeOptions): Promise<string> {
  if (options.signal?.aborted) return Promise.reject(abortedError());
  return new Promise<string>((resolve, reject) => {
    const child = execFile(
      options.binaries.ffprobe,
      ['-v', 'error', '-hide_banner', ...args],
      {
        timeout: options.timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: options.maxOutputBytes ?? 64 * 1024 * 1024,
        encoding: 'utf8',
        windowsHide: true,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
        if (failure.name === 'AbortError' || options.signal?.aborted) return reject(abortedError());
        if (failure.code === 'ENOENT' || failure.code === 'EACCES') {
          return reject(ffmpegMissingError(options.binaries.ffprobe, error));
        }
        if (failure.killed && failure.signal === 'SIGKILL') {
          return reject(ffmpegTimeoutError('ffprobe', options.timeoutMs));
        }
        const detail = stderr.split('\n').filter(Boolean).slice(-4).join(' | ');
        reject(
          new LegoError('media-corrupt', `ffprobe failed: ${detail || error.message}`, {
            userMessage: 'Sorry, that file seems to be damaged and I could not open it.',
            cause: error,
          }),
        );
      },
    );
    // ffprobe never reads stdin; close it, and ignore EPIPE when the process is already gone (killed)
    child.stdin?.on('error', () => undefined);
    child.stdin?.end();
  });
}
