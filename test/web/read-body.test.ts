import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { readBody } from '../../adapters/web/read-body';

/** A server that reads each request body with readBody and answers its length and first/last bytes (or the error code). */
async function withServer(maxBytes: number, run: (port: number, bodies: Buffer[]) => Promise<void>): Promise<void> {
  const bodies: Buffer[] = [];
  const server = createServer((req, res) => {
    readBody(req, maxBytes).then(
      (body) => {
        bodies.push(body);
        res.end(String(body.length));
      },
      (error: { code?: string }) => {
        res.statusCode = 400;
        res.end(error.code ?? 'error');
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run((server.address() as AddressInfo).port, bodies);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function post(port: number, pieces: Buffer[], headers: Record<string, string | number>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    const write = (i: number): void => {
      if (i === pieces.length) return void req.end();
      req.write(pieces[i], () => setTimeout(() => write(i + 1), 2));
    };
    write(0);
  });
}

describe('readBody', () => {
  const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));
  const pieces = [body.subarray(0, 100_000), body.subarray(100_000, 250_000), body.subarray(250_000)];

  it('reads a body of declared length, sent in pieces, byte for byte', async () => {
    await withServer(1_000_000, async (port, bodies) => {
      const res = await post(port, pieces, { 'Content-Length': body.length });
      expect([res.status, res.text]).toEqual([200, String(body.length)]);
      expect(bodies[0]!.equals(body)).toBe(true);
    });
  });

  it('reads a chunked body (no Content-Length) as it arrives', async () => {
    await withServer(1_000_000, async (port, bodies) => {
      const res = await post(port, pieces, { 'Transfer-Encoding': 'chunked' });
      expect(res.status).toBe(200);
      expect(bodies[0]!.equals(body)).toBe(true);
    });
  });

  it('refuses a declared length over the limit before reading, and a chunked body once it passes it', async () => {
    await withServer(200_000, async (port) => {
      expect(await post(port, pieces, { 'Content-Length': body.length })).toEqual({ status: 400, text: 'too-large' });
      expect(await post(port, pieces, { 'Transfer-Encoding': 'chunked' })).toEqual({ status: 400, text: 'too-large' });
    });
  });
});
