import type { IncomingMessage } from 'node:http';
import { plainError } from './error-response';
import type { HttpError } from './error-response';

export interface ReadJsonBodyLimits {
  /** largest body, bytes (413 from Content-Length before reading, or while the bytes arrive) */
  maxBytes: number;
  /** longest pause between two pieces of the body, ms (408: a client that trickles holds nothing for long) */
  idleTimeoutMs: number;
}

/**
 * Reads a JSON body within `limits`; resolves with the value or an HttpError (413, 408, 400). Past a
 * 413 the rest of the body is drained unread; after a 408 (`close`) the connection is closed.
 */
export function readJsonBody(request: IncomingMessage, limits: ReadJsonBodyLimits): Promise<{ value: unknown } | { error: HttpError; close?: true }> {
  const { maxBytes, idleTimeoutMs } = limits;
  return new Promise((resolve) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      request.resume();
      resolve({ error: plainError(413, `request body over ${maxBytes} bytes`, 'too-large') });
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: { value: unknown } | { error: HttpError; close?: true }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      chunks.length = 0;
      request.off('data', onData);
      resolve(result);
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        finish({ error: plainError(408, `no request body bytes for ${idleTimeoutMs} ms`, 'timeout'), close: true });
      }, idleTimeoutMs);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) {
        finish({ error: plainError(413, `request body over ${maxBytes} bytes`, 'too-large') });
        return;
      }
      chunks.push(chunk);
      arm();
    };
    arm();
    request.on('data', onData);
    request.on('error', () => finish({ error: plainError(400, 'request body broke off', 'bad-input'), close: true }));
    request.on('end', () => {
      if (done) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        finish({ error: plainError(400, 'empty request body', 'bad-input') });
        return;
      }
      try {
        finish({ value: JSON.parse(text) as unknown });
      } catch {
        finish({ error: plainError(400, 'the request body is not valid JSON', 'bad-input') });
      }
    });
  });
}
