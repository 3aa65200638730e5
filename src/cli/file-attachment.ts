import { open, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { LegoError } from '../errors';
import type { IncomingAttachment } from '../bot/types';
import { unreadableFileError } from './cli-error';

/**
 * A local file as an attachment: checked now (exists, is a file), read on `fetch` with the byte limit,
 * and kept by path as the media's source so follow-ups read it again instead of storing a copy.
 */
export async function fileAttachment(file: string, cwd: string): Promise<IncomingAttachment> {
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
