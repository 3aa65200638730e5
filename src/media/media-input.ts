import { open, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LegoError } from '../errors';
import { emptyFileError, fileTooLargeError, unsupportedMediaError } from './media-errors';
import type { SniffedMedia } from './sniff-media';
import { SNIFF_BYTES, sniffMedia } from './sniff-media';

/** A video or audio file: its bytes, or the path of a file on disk. */
export type MediaSource = Uint8Array | string;

/** A media source on disk, checked and identified. */
export interface MediaFile {
  path: string;
  bytes: number;
  sniffed: SniffedMedia;
}

async function readHead(path: string): Promise<{ head: Uint8Array; bytes: number }> {
  let handle;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new LegoError('bad-input', `${path} is not a file`);
    handle = await open(path, 'r');
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, info.size));
    await handle.read(head, 0, head.length, 0);
    return { head, bytes: info.size };
  } catch (error) {
    if (LegoError.is(error)) throw error;
    throw new LegoError('not-found', `cannot read ${path}`, { cause: error, userMessage: 'Sorry, I could not find that file.' });
  } finally {
    await handle?.close();
  }
}

/**
 * Check a video/audio source before ffmpeg sees it (not empty, under the byte limit, a container we
 * read, judged from its bytes) and make sure it is a file: bytes are written into `dir`.
 */
export async function materialiseMedia(
  source: MediaSource,
  dir: string,
  maxBytes: number,
  accept: ReadonlySet<SniffedMedia['kind']>,
): Promise<MediaFile> {
  const fromBytes = typeof source !== 'string';
  const { head, bytes } = fromBytes ? { head: source.subarray(0, SNIFF_BYTES), bytes: source.length } : await readHead(source);
  if (bytes === 0) throw emptyFileError();
  if (bytes > maxBytes) throw fileTooLargeError('video', bytes, maxBytes);
  const sniffed = sniffMedia(head);
  const expected = accept.has('video') ? 'video' : 'media';
  if (!sniffed) throw unsupportedMediaError('unknown bytes, not a video container we read', expected);
  if (!accept.has(sniffed.kind)) {
    throw unsupportedMediaError(`got ${sniffed.kind}/${sniffed.format}, expected ${[...accept].join('/')}`, expected);
  }
  if (!fromBytes) return { path: source, bytes, sniffed };
  const path = join(dir, `input.${sniffed.format}`);
  await writeFile(path, source);
  return { path, bytes, sniffed };
}
