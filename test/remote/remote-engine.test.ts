import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectAnswer } from '../../src/engine/collect-answer';
import { RemoteEngine } from '../../src/engine/remote/remote-engine';
import type { RemoteEngineOptionsInput } from '../../src/engine/remote/remote-options';
import { classifyHttpError, parseRetryAfter } from '../../src/engine/remote/remote-http-error';
import type { PreparedImage } from '../../src/engine/types';
import { LegoError } from '../../src/errors';
import { FAKE_MEDIA_SPEC } from '../helpers/fake-engine';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function fakeServer(handler: Handler): Promise<{ url: string; server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/healthz') {
        res.end('{"status":"ok"}');
        return;
      }
      hits += 1;
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits: () => hits };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** An address where nothing listens (a server started and closed). */
async function deadUrl(): Promise<string> {
  const { url, server } = await fakeServer(() => undefined);
  await close(server);
  return url;
}

function sse(res: ServerResponse, pieces: string[], finish = 'stop'): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (delta: object, reason: string | null = null): string =>
    `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: reason }] })}\n\n`;
  res.write(chunk({ role: 'assistant', content: '' }));
  for (const p of pieces) res.write(chunk({ content: p }));
  res.write(chunk({}, finish));
  res.write(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } })}\n\n`);
  res.end('data: [DONE]\n\n');
}

function engine(options: RemoteEngineOptionsInput): RemoteEngine {
  return new RemoteEngine({ media: FAKE_MEDIA_SPEC, model: 'm', retryBaseMs: 10, healthCheckIntervalMs: 0, ...options });
}

const ask = { turns: [{ role: 'user' as const, text: 'Where is the dog?' }] };

describe('RemoteEngine over a fake OpenAI-compatible server', () => {
  it('streams text, reads boxes in the configured syntax and maps them onto the image', async () => {
    let request: { messages: { content: unknown }[]; stream: boolean; temperature: number } | undefined;
    const fake = await fakeServer((_, res, body) => {
      request = JSON.parse(body) as typeof request;
      sse(res, ['<|object_ref_start|>the dog<|object_ref_end|><|box_', 'start|>(250,250),(750,750)<|box_end|> is there.']);
    });
    const e = engine({ endpoints: [fake.url], syntax: 'qwen2-vl' });
    try {
      const s = FAKE_MEDIA_SPEC.image!.size;
      const media: PreparedImage = { kind: 'image', size: { width: 200, height: 100 }, pixelValues: new Float32Array(3 * s * s) };
      const answer = await collectAnswer(e.generate({ ...ask, media, options: { temperature: 0 } }));
      expect(answer.text).toContain('is there.');
      expect(answer.boxes).toHaveLength(1);
      expect(answer.boxes[0]).toMatchObject({ index: 1, label: 'the dog', box: { x1: 0.25, y1: 0.25, x2: 0.75, y2: 0.75 }, pixels: { x1: 50, y1: 0, x2: 150, y2: 100 } });
      expect(answer.finish.usage).toEqual({ promptTokens: 5, completionTokens: 7 });
      expect(request?.stream).toBe(true);
      expect(request?.temperature).toBe(0);
      const content = request?.messages[0]?.content as { type: string; image_url?: { url: string } }[];
      expect(content[0]?.type).toBe('image_url');
      expect(content[0]?.image_url?.url).toMatch(/^data:image\/png;base64,/);
    } finally {
      await e.dispose();
      await close(fake.server);
    }
  });

  it('auto-detects Qwen2.5-VL JSON (pixels of the sent square after smart_resize) and TimeChat seconds of the sent clip', async () => {
    const replies = [
      // the sent square is 96 px: smart_resize -> 84 (96 / 28 rounds to 3 patches of 28)
      '```json\n[{"bbox_2d": [21, 21, 63, 63], "label": "cat"}]\n```',
      // the sent clip is 16 s (16 frames, one second each): 4.0 - 8.0 s is a quarter to a half
      '4.0 - 8.0 seconds, the ball rolls.',
    ];
    let call = 0;
    const fake = await fakeServer((_, res) => sse(res, [replies[call++]!]));
    const e = engine({ endpoints: [fake.url], syntax: 'auto' });
    try {
      const s = FAKE_MEDIA_SPEC.image!.size;
      const image: PreparedImage = { kind: 'image', size: { width: 300, height: 300 }, pixelValues: new Float32Array(3 * s * s) };
      const a = await collectAnswer(e.generate({ ...ask, media: image }));
      expect(a.boxes[0]).toMatchObject({ label: 'cat', box: { x1: 0.25, y1: 0.25, x2: 0.75, y2: 0.75 }, pixels: { x1: 75, y1: 75, x2: 225, y2: 225 } });
      const v = FAKE_MEDIA_SPEC.video!;
      const frames = v.frames;
      const video = {
        kind: 'video' as const,
        size: { width: 64, height: 48 },
        durationSec: 40,
        pixelValues: new Float32Array(frames * 3 * v.size * v.size),
        frameTimes: Array.from({ length: frames }, (_, i) => ((i + 0.5) / frames) * 40),
      };
      const b = await collectAnswer(e.generate({ ...ask, media: video }));
      expect(b.spans[0]).toMatchObject({ label: 'the ball rolls', span: { start: 0.25, end: 0.5 }, seconds: { start: 10, end: 20 } });
    } finally {
      await e.dispose();
      await close(fake.server);
    }
  });

  it('a reader that stops early cancels the request without blaming the endpoint', async () => {
    const fake = await fakeServer((_, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'first' }, finish_reason: null }] })}\n\n`);
    });
    const e = engine({ endpoints: [fake.url] });
    try {
      for await (const part of e.generate(ask)) {
        expect(part.type).toBe('text-delta');
        break;
      }
      expect(e.endpoints[0]).toMatchObject({ inFlight: 0, consecutiveFailures: 0, downUntil: 0 });
    } finally {
      await e.dispose();
      await close(fake.server);
    }
  });

  it('retries a 429 after its Retry-After, then answers', async () => {
    let calls = 0;
    const times: number[] = [];
    const fake = await fakeServer((_, res) => {
      calls += 1;
      times.push(Date.now());
      if (calls === 1) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0.3' });
        res.end(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit', code: null, param: null } }));
        return;
      }
      sse(res, ['ok']);
    });
    const e = engine({ endpoints: [fake.url] });
    try {
      const answer = await collectAnswer(e.generate(ask));
      expect(answer.text).toBe('ok');
      expect(calls).toBe(2);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(250);
      // a 429 does not mark the endpoint down
      expect(e.endpoints[0]!.downUntil).toBe(0);
    } finally {
      await e.dispose();
      await close(fake.server);
    }
  });

  it('does not retry a 400: the request’s fault keeps its meaning', async () => {
    const fake = await fakeServer((_, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'bad', type: 'invalid_request_error', code: 'unsupported-media', param: null } }));
    });
    const e = engine({ endpoints: [fake.url] });
    try {
      await expect(collectAnswer(e.generate(ask))).rejects.toMatchObject({ code: 'unsupported-media', retryable: false });
      expect(fake.hits()).toBe(1);
    } finally {
      await e.dispose();
      await close(fake.server);
    }
  });

  it('retries 502/503/504 on the other endpoint and marks the failing one down', async () => {
    const bad = await fakeServer((_, res) => {
      res.writeHead(502);
      res.end('bad gateway');
    });
    const good = await fakeServer((_, res) => sse(res, ['fine']));
    const e = engine({ endpoints: [bad.url, good.url], balance: 'round-robin' });
    try {
      for (let i = 0; i < 3; i += 1) expect((await collectAnswer(e.generate(ask))).text).toBe('fine');
      expect(bad.hits()).toBe(1);
      expect(e.endpoints[0]!.downUntil).toBeGreaterThan(0);
    } finally {
      await e.dispose();
      await close(bad.server);
      await close(good.server);
    }
  });

  it('marks a failing endpoint down and brings it back after a successful /healthz probe', async () => {
    let calls = 0;
    const flaky = await fakeServer((_, res) => {
      calls += 1;
      if (calls === 1) {
        res.writeHead(502);
        res.end();
        return;
      }
      sse(res, ['back']);
    });
    const e = engine({ endpoints: [flaky.url], downMs: 100, maxAttempts: 2 });
    try {
      await expect(collectAnswer(e.generate(ask))).rejects.toMatchObject({ code: 'engine-unavailable', retryable: true });
      expect(e.endpoints[0]!.downUntil).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 150));
      expect((await collectAnswer(e.generate(ask))).text).toBe('back');
      expect(e.endpoints[0]!.downUntil).toBe(0);
    } finally {
      await e.dispose();
      await close(flaky.server);
    }
  });

  it('all endpoints dead -> engine-unavailable, retryable, with a polite message', async () => {
    const e = engine({ endpoints: [await deadUrl(), await deadUrl()] });
    try {
      const parts = [];
      for await (const p of e.generate(ask)) parts.push(p);
      expect(parts).toHaveLength(1);
      const error = parts[0]!.type === 'error' ? parts[0]!.error : undefined;
      expect(error).toBeInstanceOf(LegoError);
      expect(error).toMatchObject({ code: 'engine-unavailable', retryable: true });
      expect(error?.userMessage).toMatch(/unavailable/);
    } finally {
      await e.dispose();
    }
  });

  it('a stream that breaks off after text is engine-unavailable (not retried)', async () => {
    const fake = await fakeServer((_, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'half' }, finish_reason: null }] })}\n\n`);
      setTimeout(() => res.destroy(), 20);
    });
    const e = engine({ endpoints: [fake.url] });
    try {
      await expect(collectAnswer(e.generate(ask))).rejects.toMatchObject({ code: 'engine-unavailable', retryable: true });
      expect(fake.hits()).toBe(1);
    } finally {
      await e.dispose();
      await close(fake.server);
    }
  });

  it('a time-out ends with finish reason timeout; an abort with aborted', async () => {
    const fake = await fakeServer((_, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'slow' }, finish_reason: null }] })}\n\n`);
    });
    const e = engine({ endpoints: [fake.url] });
    try {
      const timed = await collectAnswer(e.generate({ ...ask, options: { timeoutMs: 150 } }));
      expect(timed.finish.reason).toBe('timeout');
      expect(timed.text).toBe('slow');
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const aborted = await collectAnswer(e.generate(ask, { signal: controller.signal }));
      expect(aborted.finish.reason).toBe('aborted');
    } finally {
      await e.dispose();
      await close(fake.server);
    }
  });
});

describe('remote HTTP errors', () => {
  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('classifies statuses', () => {
    expect(classifyHttpError(429, undefined, '1')).toMatchObject({ retry: true, endpointFailure: false, retryAfterMs: 1000 });
    expect(classifyHttpError(503, { error: { code: 'busy', message: 'q' } }, null)).toMatchObject({ retry: true, endpointFailure: false });
    for (const s of [502, 503, 504]) expect(classifyHttpError(s, undefined, null)).toMatchObject({ retry: true, endpointFailure: true });
    expect(classifyHttpError(500, { error: 'boom' }, null)).toMatchObject({ retry: false });
    expect(classifyHttpError(413, { error: { code: 'too-large', message: 'x' } }, null).error.code).toBe('too-large');
  });
});
