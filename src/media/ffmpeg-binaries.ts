import type { MediaOptions } from './options';
import { ffmpegMissingError } from './media-errors';

/** The ffmpeg and ffprobe executables the media pipeline runs. */
export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
}

function installedPath(packageName: '@ffmpeg-installer/ffmpeg' | '@ffprobe-installer/ffprobe'): string {
  try {
    // Loaded lazily: the installer packages throw at load time when their binary is missing.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const installer = require(packageName) as { path?: unknown };
    if (typeof installer.path === 'string' && installer.path.length > 0) return installer.path;
  } catch (error) {
    throw ffmpegMissingError(packageName, error);
  }
  throw ffmpegMissingError(packageName);
}

/**
 * The configured binaries, or those shipped by the `@ffmpeg-installer/ffmpeg` and
 * `@ffprobe-installer/ffprobe` npm packages (so that `npm ci` is enough).
 */
export function resolveFfmpegBinaries(options: Pick<MediaOptions, 'ffmpegPath' | 'ffprobePath'>): FfmpegBinaries {
  return {
    ffmpeg: options.ffmpegPath ?? installedPath('@ffmpeg-installer/ffmpeg'),
    ffprobe: options.ffprobePath ?? installedPath('@ffprobe-installer/ffprobe'),
  };
}
