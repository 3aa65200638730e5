import ffmpeg from 'fluent-ffmpeg';
import type { FfmpegCommand } from 'fluent-ffmpeg';
import { LegoError } from '../errors';
import type { FfmpegBinaries } from './ffmpeg-binaries';
import { abortedError, ffmpegMissingError, ffmpegTimeoutError } from './media-errors';

export interface RunFfmpegOptions {
  binaries: FfmpegBinaries;
  /** the process is killed (SIGKILL) when it runs longer */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** every line ffmpeg writes to stderr */
  onStderr?: ((line: string) => void) | undefined;
  /** what the input is, for error messages: video or audio */
  kind: 'video' | 'audio';
}

/** The last lines of ffmpeg's stderr, for logs. */
function tail(text: string | null | undefined, lines = 6): string {
  return (text ?? '').split('\n').filter(Boolean).slice(-lines).join(' | ');
}

/**
 * Run one ffmpeg command built with fluent-ffmpeg under a time limit. Resolves when ffmpeg has exited
 * successfully; rejects with a LegoError once the process has exited (killed on time-out or abort),
 * so a caller may remove its temporary files right after.
 */
export function runFfmpeg(configure: (command: FfmpegCommand) => FfmpegCommand, options: RunFfmpegOptions): Promise<void> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortedError());
  return new Promise<void>((resolve, reject) => {
    const command = configure(ffmpeg({ stdoutLines: 40 }));
    // fluent-ffmpeg keeps the binary path process-wide; every run sets the configured one.
    command.setFfmpegPath(options.binaries.ffmpeg);
    let stopReason: LegoError | undefined;
    let started = false;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => stop(abortedError());
    const finish = (error?: LegoError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const stop = (reason: LegoError): void => {
      if (stopReason) return;
      stopReason = reason;
      // Not spawned yet (fluent-ffmpeg may still be checking capabilities): give up now; the
      // 'start' handler kills the process the moment it appears.
      if (started) command.kill('SIGKILL');
      else finish(reason);
    };
    timer = setTimeout(() => stop(ffmpegTimeoutError('ffmpeg', options.timeoutMs)), options.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    command.on('start', () => {
      started = true;
      if (stopReason) command.kill('SIGKILL');
    });
    if (options.onStderr) command.on('stderr', options.onStderr);
    command.on('end', () => finish(stopReason));
    command.on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
      if (stopReason) return finish(stopReason);
      if (!started) return finish(ffmpegMissingError(options.binaries.ffmpeg, error));
      const detail = `${error.message.split('\n')[0] ?? ''}: ${tail(stderr)}`;
      const noun = options.kind === 'audio' ? 'sound file' : 'video';
      finish(
        new LegoError('media-corrupt', `ffmpeg failed: ${detail}`, {
          userMessage: `Sorry, that ${noun} seems to be damaged and I could not open it.`,
          cause: error,
        }),
      );
    });
    command.run();
  });
}
