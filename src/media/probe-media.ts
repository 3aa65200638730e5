import type { ImageSize } from '../grounding/types';
import type { FfmpegBinaries } from './ffmpeg-binaries';
import { corruptMediaError } from './media-errors';
import type { PacketFields, PacketIndex } from './packet-index';
import { indexPackets } from './packet-index';
import { runFfprobe } from './run-ffprobe';

/** The video stream the pipeline reads (the first one that is not cover art). */
export interface VideoStreamInfo {
  /** absolute stream index in the file */
  index: number;
  codec: string;
  /** as stored */
  width: number;
  height: number;
  /**
   * display rotation in counter-clockwise degrees, 0/90/180/270, as the display matrix (ffprobe's
   * `rotation`) says; ffmpeg applies it when decoding, so sampled frames come upright
   */
  rotation: number;
  /** pixel aspect ratio (sample aspect ratio), 1 for square pixels */
  pixelAspect: number;
  /** as displayed: rotation and pixel aspect applied */
  size: ImageSize;
  /** average frames per second, when known */
  frameRate: number | undefined;
  /** frame count from the header, when known */
  frameCount: number | undefined;
  /** the stream's own duration, when known */
  durationSec: number | undefined;
  /** true when the nominal and average frame rates differ (variable frame rate) */
  variableFrameRate: boolean;
}

export interface AudioStreamInfo {
  index: number;
  codec: string;
  sampleRate: number;
  channels: number;
  durationSec: number | undefined;
}

/** What ffprobe says about a media file. */
export interface MediaProbe {
  /** ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" */
  formatName: string;
  /** the container's duration; NaN when it does not say (some WebM recordings) */
  formatDurationSec: number;
  /** the container's start time (timestamps in the file are offset by it; `-ss` is relative to it) */
  formatStartSec: number;
  video: VideoStreamInfo | undefined;
  audio: AudioStreamInfo | undefined;
}

interface RawStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  sample_rate?: string;
  channels?: number;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: { rotation?: number | string }[];
}

interface RawProbe {
  format?: { format_name?: string; duration?: string; start_time?: string };
  streams?: RawStream[];
  packets?: (PacketFields & { stream_index?: number })[];
}

function ratio(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const [num, den] = text.split(/[/:]/).map(Number);
  if (num === undefined || !Number.isFinite(num)) return undefined;
  if (den === undefined) return num;
  return den > 0 && num > 0 ? num / den : undefined;
}

function positiveNumber(text: string | number | undefined): number | undefined {
  const value = typeof text === 'number' ? text : text === undefined ? NaN : Number(text);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Display rotation in counter-clockwise degrees: the display matrix (newer ffprobe: `rotation`, CCW)
 * or the legacy `rotate` tag (older ffprobe, clockwise).
 */
function rotationOf(stream: RawStream): number {
  const fromSideData = stream.side_data_list?.find((entry) => entry.rotation !== undefined)?.rotation;
  const raw = fromSideData !== undefined ? Number(fromSideData) : -Number(stream.tags?.rotate ?? 0);
  if (!Number.isFinite(raw)) return 0;
  const quarter = Math.round(raw / 90) * 90;
  return ((quarter % 360) + 360) % 360;
}

function videoInfo(stream: RawStream): VideoStreamInfo | undefined {
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  if (!(width > 0 && height > 0)) return undefined;
  const rotation = rotationOf(stream);
  const pixelAspect = ratio(stream.sample_aspect_ratio) ?? 1;
  const shownWidth = Math.max(1, Math.round(width * (pixelAspect > 0 ? pixelAspect : 1)));
  const size = rotation % 180 === 90 ? { width: height, height: shownWidth } : { width: shownWidth, height };
  const nominal = ratio(stream.r_frame_rate);
  const average = ratio(stream.avg_frame_rate);
  return {
    index: stream.index ?? 0,
    codec: stream.codec_name ?? 'unknown',
    width,
    height,
    rotation,
    pixelAspect,
    size,
    frameRate: average ?? nominal,
    frameCount: positiveNumber(stream.nb_frames),
    durationSec: positiveNumber(stream.duration),
    variableFrameRate: nominal !== undefined && average !== undefined && Math.abs(nominal - average) > 0.01 * nominal,
  };
}

function readJson(json: string): RawProbe {
  try {
    return JSON.parse(json) as RawProbe;
  } catch (error) {
    throw corruptMediaError('video', 'ffprobe printed no JSON', error);
  }
}

/** Parse `ffprobe -print_format json -show_format -show_streams` output. */
export function parseProbe(json: string): MediaProbe {
  return probeFrom(readJson(json));
}

function probeFrom(raw: RawProbe): MediaProbe {
  const streams = raw.streams ?? [];
  const videoStream = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1 && videoInfo(s));
  const audioStream = streams.find((s) => s.codec_type === 'audio');
  return {
    formatName: raw.format?.format_name ?? 'unknown',
    formatDurationSec: positiveNumber(raw.format?.duration) ?? NaN,
    formatStartSec: Number.isFinite(Number(raw.format?.start_time)) ? Number(raw.format?.start_time) : 0,
    video: videoStream ? videoInfo(videoStream) : undefined,
    audio: audioStream
      ? {
          index: audioStream.index ?? 0,
          codec: audioStream.codec_name ?? 'unknown',
          sampleRate: positiveNumber(audioStream.sample_rate) ?? 0,
          channels: audioStream.channels ?? 0,
          durationSec: positiveNumber(audioStream.duration),
        }
      : undefined,
  };
}

export interface ProbeOptions {
  binaries: FfmpegBinaries;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** Probe a media file's container and streams with ffprobe (time-limited). */
export async function probeMedia(path: string, options: ProbeOptions): Promise<MediaProbe> {
  const json = await runFfprobe(['-print_format', 'json', '-show_format', '-show_streams', '-i', path], options);
  const probe = parseProbe(json);
  if (!probe.video && !probe.audio) throw corruptMediaError('video', `no audio or video streams in ${probe.formatName}`);
  return probe;
}

/** A probe and its video stream's packet index, from one ffprobe run. */
export interface ProbeWithPackets {
  probe: MediaProbe;
  /** undefined when the file has no video stream */
  packets: PacketIndex | undefined;
}

/** Parse `ffprobe -print_format json -show_format -show_streams -show_entries packet=…` output. */
export function parseProbeWithPackets(json: string): ProbeWithPackets {
  const raw = readJson(json);
  const probe = probeFrom(raw);
  const video = probe.video;
  if (!video) return { probe, packets: undefined };
  const own = (raw.packets ?? []).filter((packet) => (packet.stream_index ?? -1) === video.index);
  return { probe, packets: indexPackets(own, probe.formatStartSec) };
}

/**
 * Probe a file and read its video stream's packet index (packet headers only, nothing decoded) in ONE
 * ffprobe run: one process per clip before the frames are read, instead of two.
 */
export async function probeMediaWithPackets(path: string, options: ProbeOptions): Promise<ProbeWithPackets> {
  const json = await runFfprobe(
    [
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      '-show_entries',
      'packet=stream_index,pts_time,dts_time,duration_time,flags',
      '-i',
      path,
    ],
    options,
  );
  const probed = parseProbeWithPackets(json);
  if (!probed.probe.video && !probed.probe.audio) throw corruptMediaError('video', `no audio or video streams in ${probed.probe.formatName}`);
  return probed;
}
