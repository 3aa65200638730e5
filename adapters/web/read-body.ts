import type { IncomingMessage } from 'node:http';
import { LegoError } from '../../src/errors';

/**
 * Reads a request body up to `maxBytes`: refused from Content-Length before anything is read, and
 * again while the bytes arrive (a client may lie or use chunked encoding). Over the limit it throws
 * LegoError('too-large') and stops reading. A body that pauses longer than `idleTimeoutMs` between
 * two pieces throws a 408 (`details.httpStatus`): a client that sends its headers and then trickles
 * or stalls holds nothing for long (the server's receive timeout bounds the whole request).
 */
export async function readBody(req: IncomingMessage, maxBytes: number, what = 'request body', idleTimeoutMs = 0): Promise<Buffer> {
  const declared = req.headers['content-length'];
  let length: number | undefined;
  if (declared !== undefined) {
    length = Number(declared);
    if (!Number.isFinite(length) || length < 0) throw new LegoError('bad-input', `bad Content-Length: ${declared}`);
    if (length > maxBytes) throw tooLarge(what, length, maxBytes);
  }
  // A body of declared length (up to PREALLOCATE_MAX) is read straight into one buffer of that size: a
  // 5 MB photo is then held once while it arrives, not as its pieces plus their concatenation.
  const whole = length !== undefined && length > 0 && length <= PREALLOCATE_MAX ? Buffer.allocUnsafe(length) : undefined;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const fail = (error: LegoError): void => {
      cleanup();
      chunks.length = 0;
      req.resume(); // drain (or let the caller close the connection); nothing more is kept
      reject(error);
    };
    const arm = (): void => {
      if (idleTimeoutMs <= 0) return;
      clearTimeout(timer);
      timer = setTimeout(() => fail(stalled(what, received, idleTimeoutMs)), idleTimeoutMs);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > maxBytes) {
        fail(tooLarge(what, received, maxBytes));
        return;
      }
      if (whole === undefined) chunks.push(chunk);
      else if (received <= whole.length) chunk.copy(whole, received - chunk.length);
      else {
        fail(new LegoError('bad-input', `${what} longer than its Content-Length (${whole.length})`));
        return;
      }
      arm();
    };
    const onEnd = (): void => {
      cleanup();
      if (whole === undefined) resolve(Buffer.concat(chunks, received));
      else resolve(received === whole.length ? whole : whole.subarray(0, received));
    };
    const onError = (error: Error): void => fail(new LegoError('bad-input', `${what} broke off: ${error.message}`, { cause: error }));
    const onAborted = (): void => fail(new LegoError('bad-input', `${what} broke off`));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    arm();
  });
}

/** Largest declared body read into one buffer allocated up front (larger ones grow as they arrive: a
 * client that declares a large body and sends nothing holds nothing). */
const PREALLOCATE_MAX = 16 * 1024 * 1024;

function stalled(what: string, bytes: number, idleTimeoutMs: number): LegoError {
  return new LegoError('bad-input', `${what} stalled: no bytes for ${idleTimeoutMs} ms after ${bytes}`, {
    userMessage: 'The upload stopped arriving; please try again.',
    details: { httpStatus: 408, bytes },
  });
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
