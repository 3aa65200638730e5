import { open, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { LegoError } from '../errors';
import type { IncomingAttachment } from '../bot/types';
import { SNIFF_BYTES, sniffMedia } from '../media/sniff-media';
import type { SniffedMedia } from '../media/sniff-media';
import { unreadableFileError } from './cli-error';

/**
 * A local file as an attachment: checked now (exists, is a file), read on `fetch` with the byte limit,
 * and kept by path as the media's source so follow-ups read it again instead of storing a copy.
 */
export async function fileAttachment(file: string, cwd: string): Promise<IncomingAttachment & { localPath: string }> {
  const path = resolve(cwd, file);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw Object.assign(new Error(`${path} is not a file`), { code: 'EISDIR' });
    size = info.size;
  } catch (error) {
    throw unreadableFileError(file, error);
  }
  return {
    id: path,
    name: basename(path),
    size,
    localPath: path,
    async fetch(options: { signal?: AbortSignal; maxBytes: number }): Promise<Buffer> {
      const handle = await open(path, 'r').catch((error: unknown) => {
        throw unreadableFileError(file, error);
      });
      try {
        const info = await handle.stat();
        if (info.size > options.maxBytes) {
          throw new LegoError('too-large', `${file} has ${info.size} bytes, over the limit of ${options.maxBytes}`, {
            userMessage: `${file} is too large (${info.size} bytes; the limit is ${options.maxBytes}).`,
          });
        }
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    },
  };
}

/**
 * What the file's first bytes say it is (`sniffMedia`), so that `/image notes.txt` is refused when it
 * is loaded rather than at the question after it. A damaged file of a known type still passes here and
 * is refused when it is decoded.
 */
export async function sniffFile(attachment: IncomingAttachment & { localPath: string }, file: string): Promise<SniffedMedia> {
  const handle = await open(attachment.localPath, 'r').catch((error: unknown) => {
    throw unreadableFileError(file, error);
  });
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const sniffed = sniffMedia(head);
  if (sniffed === undefined) {
    throw new LegoError('unsupported-media', `${file}: not a media file this pipeline reads`, {
      userMessage: `${file} is not an image, a video or a sound I can read. Try a JPEG, PNG, WebP or GIF image, an MP4/WebM video or a WAV/MP3 sound.`,
    });
  }
  return sniffed;
}
