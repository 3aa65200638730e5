import type { IncomingMessage } from 'node:http';
import { LegoError } from '../../src/errors';

/**
 * Reads a request body up to `maxBytes`: refused from Content-Length before anything is read, and
 * again while the bytes arrive (a client may lie or use chunked encoding). Over the limit it throws
 * LegoError('too-large') and stops reading.
 */
export async function readBody(req: IncomingMessage, maxBytes: number, what = 'request body'): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined) {
    const length = Number(declared);
    if (!Number.isFinite(length) || length < 0) throw new LegoError('bad-input', `bad Content-Length: ${declared}`);
    if (length > maxBytes) throw tooLarge(what, length, maxBytes);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) throw tooLarge(what, received, maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, received);
}

function tooLarge(what: string, bytes: number, maxBytes: number): LegoError {
  return new LegoError('too-large', `${what} of ${bytes} bytes is over the limit of ${maxBytes}`, {
    userMessage: `Sorry, that file is too large for me (the limit is ${formatBytes(maxBytes)}).`,
    details: { bytes, maxBytes },
  });
}

/** "32 MB", "512 KB" */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
