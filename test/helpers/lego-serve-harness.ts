/**
 * `lego serve` in process on 127.0.0.1:0 over a real OnnxLegoEngine, for end-to-end tests and the load
 * bench; plus a dead address and a front server that answers 429 before passing requests through.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { OpenAiServer } from '../../adapters/openai-server/openai-server';
import type { OpenAiServerOptionsInput } from '../../adapters/openai-server/serve-options';
import { OnnxLegoEngine } from '../../src/engine/onnx/onnx-lego-engine';

export const LEGO_TINY = path.resolve(__dirname, '../../models/lego-tiny');

/** The test bundle always; lego-tiny once its export has written manifest.json. */
export function servedBundles(testBundle: string): string[] {
  return [testBundle, ...(existsSync(path.join(LEGO_TINY, 'manifest.json')) ? [LEGO_TINY] : [])];
}

export interface ServeHarness {
  engine: OnnxLegoEngine;
  server: OpenAiServer;
  url: string;
  close(): Promise<void>;
}

export async function startLegoServe(bundle: string, options: OpenAiServerOptionsInput = {}): Promise<ServeHarness> {
  const engine = await OnnxLegoEngine.load(bundle, { intraOpNumThreads: 1 });
  const server = new OpenAiServer(engine, { host: '127.0.0.1', port: 0, processMetrics: false, ...options });
  const url = await server.start();
  return {
    engine,
    server,
    url,
    close: async () => {
      await server.stop();
      await engine.dispose();
    },
  };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A loopback address where nothing listens any more. */
export async function deadEndpoint(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await closeServer(server);
  return url;
}

/**
 * A front server that answers the first `limited` chat requests with 429 + `Retry-After: retryAfter`
 * and passes everything else through to `target` (streaming the answer back).
 */
export async function rateLimitingProxy(target: string, limited: number, retryAfter: string): Promise<{ url: string; hits: number[]; close(): Promise<void> }> {
  const hits: number[] = [];
  let left = limited;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url?.includes('/chat/completions')) hits.push(Date.now());
      if (req.url?.includes('/chat/completions') && left > 0) {
        left -= 1;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': retryAfter });
        res.end(JSON.stringify({ error: { message: 'rate limited', type: 'rate_limit_error', code: null, param: null } }));
        return;
      }
      void (async () => {
        const upstream = await fetch(`${target}${req.url ?? '/'}`, {
          method: req.method ?? 'GET',
          headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
          ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
        });
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        const reader = upstream.body?.getReader();
        for (;;) {
          const piece = await reader?.read();
          if (piece === undefined || piece.done) break;
          res.write(piece.value);
        }
        res.end();
      })().catch(() => res.destroy());
    });
  });
  const url = await listen(server);
  return { url, hits, close: () => closeServer(server) };
}
