/**
 * A small node:http client for adapter tests: plain requests, Server-Sent-Event streams, and requests
 * that can be cut off mid-way (node's fetch hides Content-Length games and half-closed sockets).
 */
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json<T = unknown>(): T;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string | number>;
  /** a body sent at once (Content-Length set unless given) */
  body?: Buffer | string;
  /** a body sent in chunks without Content-Length (chunked) */
  chunks?: Buffer[];
  /** abort the request after this many ms */
  abortAfterMs?: number;
}

export function httpRequest(base: string, path: string, options: HttpRequestOptions = {}): Promise<HttpResult> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(options.headers ?? {}) };
    const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    if (body !== undefined && headers['Content-Length'] === undefined) headers['Content-Length'] = body.length;
    const req = request(url, { method: options.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: data,
          text: data.toString('utf8'),
          json: <T>() => JSON.parse(data.toString('utf8')) as T,
        });
      });
    });
    req.on('error', reject);
    if (options.abortAfterMs !== undefined) setTimeout(() => req.destroy(new Error('aborted by test')), options.abortAfterMs);
    if (options.chunks !== undefined) {
      for (const chunk of options.chunks) req.write(chunk);
      req.end();
    } else {
      req.end(body);
    }
  });
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** The events of a text/event-stream body. */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split('\n\n')) {
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (data !== '') events.push({ event, data: JSON.parse(data) as unknown });
  }
  return events;
}
