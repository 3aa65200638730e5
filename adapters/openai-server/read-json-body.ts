import type { IncomingMessage } from 'node:http';
import { plainError } from './error-response';
import type { HttpError } from './error-response';

/** Reads a JSON body of at most `maxBytes`; resolves with the value or an HttpError (413, 400). */
export function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<{ value: unknown } | { error: HttpError }> {
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
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      total += chunk.length;
      if (total > maxBytes) {
        done = true;
        chunks.length = 0;
        request.resume();
        resolve({ error: plainError(413, `request body over ${maxBytes} bytes`, 'too-large') });
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', () => {
      if (done) return;
      done = true;
      resolve({ error: plainError(400, 'request body broke off', 'bad-input') });
    });
    request.on('end', () => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        resolve({ error: plainError(400, 'empty request body', 'bad-input') });
        return;
      }
      try {
        resolve({ value: JSON.parse(text) as unknown });
      } catch {
        resolve({ error: plainError(400, 'the request body is not valid JSON', 'bad-input') });
      }
    });
  });
}
