import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ImageSize } from '../grounding/types';
import { LegoError } from '../errors';
import type { FfmpegBinaries } from './ffmpeg-binaries';
import { resolveFfmpegBinaries } from './ffmpeg-binaries';
import type { MediaSource } from './media-input';
import { materialiseMedia } from './media-input';
import { corruptMediaError, noVideoStreamError, videoResolutionError, videoTooLongError } from './media-errors';
import type { MediaOptions } from './options';
import { DEFAULT_MEDIA_OPTIONS } from './options';
import type { PacketIndex } from './packet-index';
import { readPacketIndex } from './packet-index';
import type { MediaProbe, VideoStreamInfo } from './probe-media';
import { probeMedia, probeMediaWithPackets } from './probe-media';
import type { RawImage } from './raw-image';
import { runFfmpeg } from './run-ffmpeg';
import { KEYFRAME_SEEK_LEAD_SEC, planFrameSampling, sampleTimes, snapToKeyframes } from './sampling-plan';
import { withTempDir } from './temp-workspace';

/** One sampled frame: the frame shown at `time` (seconds from the start), upright, RGB. */
export interface SampledFrame {
  time: number;
  image: RawImage;
}

export interface SampledVideo {
  probe: MediaProbe;
  video: VideoStreamInfo;
  /** the duration the frame times are fractions of (the video stream's, else the container's) */
  durationSec: number;
  /** the video as displayed (rotation and pixel aspect applied) */
  size: ImageSize;
  frames: SampledFrame[];
  /** how the frames were read */
  strategy: 'seek' | 'decode';
}

export interface SampleVideoCallOptions {
  signal?: AbortSignal | undefined;
  /** overrides `MediaOptions.frameMaxSide` for this call */
  frameMaxSide?: number | undefined;
  /**
   * a stretch of the video (seconds) to sample instead of the whole of it (a zoom in time): the frames
   * are spread over it, and the result is the stretch's (`durationSec` its length, frame times from its start)
   */
  window?: { start: number; end: number } | undefined;
}

/** `window` inside [0, duration], at least a frame's worth (10 ms) long. */
function clampWindow(window: { start: number; end: number }, durationSec: number): { start: number; end: number } {
  const start = Math.min(Math.max(0, window.start), Math.max(0, durationSec - 0.01));
  const end = Math.min(durationSec, Math.max(window.end, start + 0.01));
  return { start, end };
}

/** 1080p: the frame size `maxSeekInputs` is meant for; larger frames get proportionally fewer inputs. */
const SEEK_BUDGET_PIXELS = 1920 * 1080;
/** how far past the last sample time the `decode` strategy reads, for the frame at or after it */
const DECODE_TAIL_SEC = 2;

function checkVideoLimits(video: VideoStreamInfo, options: MediaOptions): void {
  if (Math.max(video.width, video.height) > options.maxVideoSide || video.width * video.height > options.maxVideoPixels) {
    throw videoResolutionError(video.width, video.height, options.maxVideoSide);
  }
}

function frameSize(size: ImageSize, maxSide: number): ImageSize {
  const scale = Math.min(1, maxSide / Math.max(size.width, size.height));
  return { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) };
}

function scaleFilter(size: ImageSize): string {
  return `scale=${size.width}:${size.height}:flags=area,setsar=1`;
}

/** Replace missing frames by the nearest sampled one (a time past the last frame gets the last frame). */
function fillGaps(images: (RawImage | undefined)[], times: readonly number[]): SampledFrame[] {
  const available = images.map((image, i) => (image ? i : -1)).filter((i) => i >= 0);
  if (available.length === 0) throw corruptMediaError('video', 'no frame could be decoded');
  return times.map((time, i) => {
    // nearest available frame; on a tie the earlier one
    let nearest = available[0] ?? 0;
    for (const j of available) if (Math.abs(j - i) < Math.abs(nearest - i)) nearest = j;
    const image = images[nearest];
    if (!image) throw corruptMediaError('video', 'no frame could be decoded');
    return { time, image };
  });
}

interface StrategyRun {
  path: string;
  dir: string;
  video: VideoStreamInfo;
  times: readonly number[];
  /** `seek` only: per time, true when it is a keyframe's (read alone, see `snapToKeyframes`) */
  onKeyframe: readonly boolean[];
  size: ImageSize;
  binaries: FfmpegBinaries;
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

async function readRawFrame(path: string, size: ImageSize): Promise<RawImage | undefined> {
  const data = await readFile(path).catch(() => undefined);
  const frameBytes = size.width * size.height * 3;
  if (!data || data.length < frameBytes) return undefined;
  return { data: data.subarray(0, frameBytes), width: size.width, height: size.height, channels: 3 };
}

/**
 * One ffmpeg run with one input per frame, each fast-seeked (`-ss` before `-i`) to its time: from the
 * keyframe before it, decoding up to the time; a keyframe's own time takes the keyframe alone (seek
 * just past it, the first frame decoded).
 */
async function sampleBySeeking(run: StrategyRun): Promise<SampledFrame[]> {
  const threads = Math.max(1, Math.min(4, Math.floor(availableParallelism() / run.times.length)));
  const outputs = run.times.map((_, i) => join(run.dir, `frame-${String(i).padStart(4, '0')}.rgb`));
  await runFfmpeg(
    (command) => {
      run.times.forEach((time, i) => {
        const global = i === 0 ? ['-nostdin', '-hide_banner', '-nostats', '-loglevel', 'error'] : [];
        const seek = run.onKeyframe[i] ? ['-noaccurate_seek', '-ss', (time + KEYFRAME_SEEK_LEAD_SEC).toFixed(6)] : ['-ss', time.toFixed(6)];
        command.input(run.path).inputOptions([...global, '-threads', String(threads), ...seek]);
      });
      outputs.forEach((output, i) => {
        command
          .output(output)
          .outputOptions(['-map', `${i}:${run.video.index}`, '-frames:v', '1', '-vf', scaleFilter(run.size)])
          .outputOptions(['-f', 'rawvideo', '-pix_fmt', 'rgb24']);
      });
      return command;
    },
    { binaries: run.binaries, timeoutMs: run.timeoutMs, signal: run.signal, kind: 'video' },
  );
  const images = await Promise.all(outputs.map((output) => readRawFrame(output, run.size)));
  return fillGaps(images, run.times);
}

const SHOWINFO_LINE = /Parsed_showinfo.*?\bn:\s*(\d+).*?\bpts_time:\s*(-?[\d.]+(?:e[-+]?\d+)?)/;

/** One ffmpeg run decoding the clip once; a `select` filter keeps the first frame at or after each time. */
async function sampleByDecoding(run: StrategyRun): Promise<SampledFrame[]> {
  const terms = run.times.map((t) => {
    const at = t.toFixed(6);
    return `gte(t,${at})*(isnan(prev_t)+lt(prev_t,${at}))`;
  });
  const select = `select='gt(${terms.join('+')},0)'`;
  const output = join(run.dir, 'frames.rgb');
  const selectedTimes: number[] = [];
  const lastTime = Math.max(...run.times);
  await runFfmpeg(
    (command) =>
      command
        .input(run.path)
        .inputOptions(['-nostdin', '-hide_banner', '-nostats', '-loglevel', 'info', '-t', (lastTime + DECODE_TAIL_SEC).toFixed(6)])
        .output(output)
        .outputOptions(['-map', `0:${run.video.index}`, '-vf', `${select},showinfo,${scaleFilter(run.size)}`])
        .outputOptions(['-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24']),
    {
      binaries: run.binaries,
      timeoutMs: run.timeoutMs,
      signal: run.signal,
      kind: 'video',
      onStderr: (line) => {
        const match = SHOWINFO_LINE.exec(line);
        if (match) selectedTimes.push(Number(match[2]));
      },
    },
  );
  const data = await readFile(output).catch(() => Buffer.alloc(0));
  const frameBytes = run.size.width * run.size.height * 3;
  const count = Math.min(selectedTimes.length, Math.floor(data.length / frameBytes));
  const selected: { time: number; image: RawImage }[] = [];
  for (let k = 0; k < count; k += 1) {
    selected.push({
      time: selectedTimes[k] ?? 0,
      image: { data: data.subarray(k * frameBytes, (k + 1) * frameBytes), width: run.size.width, height: run.size.height, channels: 3 },
    });
  }
  // Each time gets the first selected frame at or after it (several times may share a frame in a
  // clip with long gaps); a time past the last frame gets the last one.
  const images = run.times.map((time) => (selected.find((frame) => frame.time >= time - 1e-4) ?? selected[selected.length - 1])?.image);
  return fillGaps(images, run.times);
}

/**
 * Sample `count` frames of a video uniformly over the whole clip, at `(i + 0.5) / count × duration`
 * (or, read by seeking, the keyframe nearest such a time when it is within `keyframeSnap` of the
 * spacing: each frame's `time` says which), in a single time-limited ffmpeg run: either one
 * fast-seeking input per frame or one decoding pass with a `select` filter, whichever decodes fewer
 * frames according to the clip's packet index (`MediaOptions.frameSampling`). Frames come upright
 * (rotation metadata honoured), with square pixels, no larger than `frameMaxSide`. Checks size, type,
 * duration and resolution first; an audio-only file is a `bad-input` error. Temporary files are always
 * removed.
 */
export async function sampleVideo(
  source: MediaSource,
  count: number,
  options: MediaOptions = DEFAULT_MEDIA_OPTIONS,
  call: SampleVideoCallOptions = {},
): Promise<SampledVideo> {
  if (!Number.isInteger(count) || count < 1) throw new LegoError('bad-input', `frame count must be a positive integer, got ${count}`);
  const binaries = resolveFfmpegBinaries(options);
  return withTempDir(options.tempDir, async (dir) => {
    const file = await materialiseMedia(source, dir, options.maxVideoBytes, new Set(['video', 'audio']));
    const probeOptions = { binaries, timeoutMs: options.ffprobeTimeoutMs, signal: call.signal };
    // `auto` plans from the packet index, and seeking snaps to its keyframes: read it in the same ffprobe
    // run as the streams (one process).
    const wantIndex =
      (options.frameSampling === 'auto' || (options.frameSampling === 'seek' && options.keyframeSnap > 0)) &&
      count <= options.maxSeekInputs;
    const probed = wantIndex ? await probeMediaWithPackets(file.path, probeOptions) : { probe: await probeMedia(file.path, probeOptions), packets: undefined };
    const probe = probed.probe;
    const video = probe.video;
    if (!video) throw noVideoStreamError();
    checkVideoLimits(video, options);
    let durationSec = video.durationSec ?? probe.formatDurationSec;
    const durationKnown = Number.isFinite(durationSec);
    if (durationKnown && durationSec > options.maxDurationSec) throw videoTooLongError(durationSec, options.maxDurationSec);
    // The packet index tells `auto` which strategy decodes less, and gives the duration when the
    // container does not (WebM from MediaRecorder).
    let index: PacketIndex | undefined = probed.packets;
    if (!durationKnown && index === undefined) {
      index = await readPacketIndex(file.path, video.index, { ...probeOptions, startSec: probe.formatStartSec });
    }
    if (!durationKnown) {
      durationSec = index?.endSec ?? NaN;
      if (!(durationSec > 0)) throw corruptMediaError('video', 'duration unknown and no packets');
      if (durationSec > options.maxDurationSec) throw videoTooLongError(durationSec, options.maxDurationSec);
    }
    const window = call.window === undefined ? null : clampWindow(call.window, durationSec);
    const length = window === null ? durationSec : window.end - window.start;
    const times = sampleTimes(length, count).map((t) => t + (window?.start ?? 0));
    const seekCap = Math.max(
      4,
      Math.floor((options.maxSeekInputs * SEEK_BUDGET_PIXELS) / Math.max(SEEK_BUDGET_PIXELS, video.width * video.height)),
    );
    // Seeking may take a keyframe near a time instead (decoded alone); decoding takes the exact times.
    const seekTimes = snapToKeyframes(times, index, (options.keyframeSnap * length) / count);
    const strategy = planFrameSampling(seekTimes.times, index, options.frameSampling, seekCap, seekTimes.onKeyframe);
    const run: StrategyRun = {
      path: file.path,
      dir,
      video,
      times: strategy === 'seek' ? seekTimes.times : times,
      onKeyframe: strategy === 'seek' ? seekTimes.onKeyframe : [],
      size: frameSize(video.size, call.frameMaxSide ?? options.frameMaxSide),
      binaries,
      timeoutMs: options.ffmpegTimeoutMs,
      signal: call.signal,
    };
    const frames = strategy === 'seek' ? await sampleBySeeking(run) : await sampleByDecoding(run);
    if (window !== null) {
      return { probe, video, durationSec: length, size: video.size, frames: frames.map((f) => ({ ...f, time: Math.max(0, f.time - window.start) })), strategy };
    }
    return { probe, video, durationSec, size: video.size, frames, strategy };
  });
}
