import type { FfmpegBinaries } from './ffmpeg-binaries';
import { runFfprobe } from './run-ffprobe';

/** Where a video stream's frames and keyframes are, from its packets (read, not decoded). */
export interface PacketIndex {
  /** presentation times of all frames, seconds from the start of the file, ascending */
  frameTimes: number[];
  /** presentation times of the keyframes, ascending */
  keyframeTimes: number[];
  /** end of the last frame (its time plus its duration), seconds from the start */
  endSec: number;
}

/** One packet as ffprobe prints it (strings, as in its compact and JSON writers). */
export interface PacketFields {
  pts_time?: string | undefined;
  dts_time?: string | undefined;
  duration_time?: string | undefined;
  flags?: string | undefined;
}

/** The index of a stream's packets, times made relative to the container's start. */
export function indexPackets(packets: Iterable<PacketFields>, startSec: number): PacketIndex {
  const frames: number[] = [];
  const keys: number[] = [];
  let endSec = 0;
  for (const packet of packets) {
    const pts = Number(packet.pts_time);
    const dts = Number(packet.dts_time);
    const time = (Number.isFinite(pts) ? pts : dts) - startSec;
    if (!Number.isFinite(time)) continue;
    frames.push(time);
    if ((packet.flags ?? '').startsWith('K')) keys.push(time);
    const duration = Number(packet.duration_time);
    endSec = Math.max(endSec, time + (Number.isFinite(duration) && duration > 0 ? duration : 0));
  }
  frames.sort((a, b) => a - b);
  keys.sort((a, b) => a - b);
  return { frameTimes: frames, keyframeTimes: keys, endSec };
}

function* compactLines(text: string): Generator<PacketFields> {
  for (const line of text.split('\n')) {
    if (!line) continue;
    const fields: Record<string, string> = {};
    for (const part of line.split('|')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
    }
    yield fields;
  }
}

/** Parse `ffprobe -show_entries packet=pts_time,dts_time,duration_time,flags -of compact=p=0` lines. */
export function parsePacketIndex(text: string, startSec: number): PacketIndex {
  return indexPackets(compactLines(text), startSec);
}

export interface PacketIndexOptions {
  binaries: FfmpegBinaries;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** the container's start time, subtracted from every timestamp */
  startSec: number;
}

/**
 * Read the packet index of one stream with ffprobe: no decoding, just the container's packet headers
 * (fast for MP4; a full read of the file for WebM/MKV without cues).
 */
export async function readPacketIndex(path: string, streamIndex: number, options: PacketIndexOptions): Promise<PacketIndex> {
  const text = await runFfprobe(
    [
      '-select_streams',
      String(streamIndex),
      '-show_entries',
      'packet=pts_time,dts_time,duration_time,flags',
      '-of',
      'compact=p=0',
      '-i',
      path,
    ],
    options,
  );
  return parsePacketIndex(text, options.startSec);
}
