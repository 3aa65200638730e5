import { ffmpeg } from './video-fixtures';

/** Sound files made with the packaged ffmpeg's lavfi sources (small, a few seconds at most). */

const tone = (frequency: number, seconds: number, sampleRate = 44_100): string[] => [
  '-f', 'lavfi', '-i', `sine=frequency=${frequency}:sample_rate=${sampleRate}:duration=${seconds}`,
];

/** Container/codec pairs a user may send: WAV, MP3, an Ogg/Opus voice message, M4A, FLAC, a WebM audio recording. */
export const SOUND_FORMATS = {
  wav: ['-c:a', 'pcm_s16le'],
  mp3: ['-c:a', 'libmp3lame', '-b:a', '64k'],
  opus: ['-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg'],
  m4a: ['-c:a', 'aac', '-b:a', '64k', '-f', 'ipod'],
  flac: ['-c:a', 'flac'],
  webm: ['-c:a', 'libopus', '-b:a', '32k', '-f', 'webm'],
} as const;

export type SoundFormat = keyof typeof SOUND_FORMATS;

/** A `frequency` Hz tone of `seconds`, stereo 44.1 kHz when `stereo` (the decoder must mix and resample). */
export async function toneFile(path: string, format: SoundFormat, options: { frequency?: number; seconds: number; stereo?: boolean }): Promise<void> {
  const channels = options.stereo === false ? [] : ['-ac', '2'];
  await ffmpeg([...tone(options.frequency ?? 440, options.seconds), ...channels, ...SOUND_FORMATS[format], path]);
}

/** Digital silence of `seconds` as a WAV. */
export async function silentWav(path: string, seconds: number): Promise<void> {
  await ffmpeg(['-f', 'lavfi', '-i', `anullsrc=r=16000:cl=mono`, '-t', String(seconds), '-c:a', 'pcm_s16le', path]);
}

/** A video with a tone as its soundtrack (MP4 H.264/AAC or WebM VP8/Opus), or without sound. */
export async function videoWithSound(path: string, options: { seconds: number; frequency?: number; container: 'mp4' | 'webm'; sound?: boolean }): Promise<void> {
  const video = ['-f', 'lavfi', '-i', `color=c=gray:s=32x32:r=10:d=${options.seconds}`];
  const codecs =
    options.container === 'mp4'
      ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac']
      : ['-c:v', 'libvpx', '-b:v', '100k', '-c:a', 'libopus'];
  const audio = options.sound === false ? [] : tone(options.frequency ?? 440, options.seconds);
  await ffmpeg([...video, ...audio, ...codecs, '-shortest', path]);
}

/** A WebM/Opus tone written to a pipe, like a browser's MediaRecorder: no duration in its header. */
export async function streamedWebmSound(seconds: number): Promise<Buffer> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { resolveFfmpegBinaries } = await import('../../src/media/ffmpeg-binaries');
  const { ffmpeg: binary } = resolveFfmpegBinaries({ ffmpegPath: undefined, ffprobePath: undefined });
  const { stdout } = await promisify(execFile)(
    binary,
    ['-hide_banner', '-loglevel', 'error', '-nostdin', ...tone(440, seconds, 48_000), '-c:a', 'libopus', '-b:a', '32k', '-f', 'webm', 'pipe:1'],
    { timeout: 60_000, encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}
