import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RawImage } from '../../src/media/raw-image';
import { resolveFfmpegBinaries } from '../../src/media/ffmpeg-binaries';

const run = promisify(execFile);

/** Run the packaged ffmpeg to make a fixture (small clips only). */
export async function ffmpeg(args: string[]): Promise<void> {
  const { ffmpeg: binary } = resolveFfmpegBinaries({ ffmpegPath: undefined, ffprobePath: undefined });
  await run(binary, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { timeout: 60_000 });
}

/** Frames 80×16 whose 10 blocks of 8 px show the frame number in binary (white = 1, lowest bit left). */
const FRAME_NUMBER_SOURCE = (seconds: number, fps: number): string =>
  `color=c=black:s=80x16:r=${fps}:d=${seconds},format=gray,geq=lum='255*mod(floor(N/pow(2\\,floor(X/8)))\\,2)'`;

/** An H.264 MP4 showing its frame number; `select` drops frames (keeping timestamps: variable frame rate). */
export async function frameNumberVideo(
  path: string,
  options: { seconds: number; fps: number; gop: number; select?: string; bframes?: number },
): Promise<void> {
  const filters = options.select ? [`select='${options.select}'`, 'format=yuv420p'] : ['format=yuv420p'];
  await ffmpeg([
    '-f', 'lavfi', '-i', FRAME_NUMBER_SOURCE(options.seconds, options.fps),
    '-vf', filters.join(','),
    ...(options.select ? ['-vsync', 'vfr'] : []),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '10', '-g', String(options.gop),
    ...(options.bframes ? ['-bf', String(options.bframes)] : []),
    path,
  ]);
}

/** Read the frame number back from a sampled frame (any size: blocks are found proportionally). */
export function readFrameNumber(image: RawImage): number {
  let value = 0;
  for (let bit = 0; bit < 10; bit += 1) {
    const x = Math.floor(((bit * 8 + 4) / 80) * image.width);
    const y = Math.floor(image.height / 2);
    const v = image.data[(y * image.width + x) * image.channels] ?? 0;
    if (v > 128) value += 2 ** bit;
  }
  return value;
}

/** A clip whose left half is red and right half blue, stored with a `rotate` tag (display matrix). */
export async function rotatedVideo(path: string, plainPath: string, rotate: number): Promise<void> {
  await ffmpeg([
    '-f', 'lavfi', '-i', 'color=c=red:s=32x48:r=10:d=1',
    '-f', 'lavfi', '-i', 'color=c=blue:s=32x48:r=10:d=1',
    '-filter_complex', '[0:v][1:v]hstack=inputs=2,format=yuv420p[v]', '-map', '[v]',
    '-c:v', 'libx264', '-preset', 'ultrafast', plainPath,
  ]);
  await ffmpeg(['-i', plainPath, '-c', 'copy', '-metadata:s:v:0', `rotate=${rotate}`, path]);
}

/** A short clip with a 440 Hz tone (or only the tone, with `audioOnly`). */
export async function toneClip(path: string, options: { seconds: number; audioOnly?: boolean }): Promise<void> {
  const tone = ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${options.seconds}`];
  if (options.audioOnly) {
    await ffmpeg([...tone, '-c:a', 'aac', path]);
    return;
  }
  await ffmpeg([
    '-f', 'lavfi', '-i', `color=c=gray:s=32x32:r=10:d=${options.seconds}`, ...tone,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path,
  ]);
}

/**
 * A frame-number WebM written to a pipe, like a browser's MediaRecorder: the muxer cannot seek back,
 * so the file has no duration and no cues.
 */
export async function streamedWebm(seconds: number, fps: number): Promise<Buffer> {
  const { ffmpeg: binary } = resolveFfmpegBinaries({ ffmpegPath: undefined, ffprobePath: undefined });
  const { stdout } = await run(
    binary,
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'lavfi', '-i', FRAME_NUMBER_SOURCE(seconds, fps),
      '-vf', 'format=yuv420p', '-c:v', 'libvpx', '-b:v', '400k', '-g', String(fps), '-f', 'webm', 'pipe:1'],
    { timeout: 60_000, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}
