import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { OpenAiServer } from '../../adapters/openai-server/openai-server';
import { isPrivateAddress } from '../../adapters/openai-server/address-policy';
import type { OpenAiServerOptionsInput } from '../../adapters/openai-server/serve-options';
import type { WireChunk, WireCompletion, WireError } from '../../src/engine/remote/openai-wire';
import { LegoError } from '../../src/errors';
import { FakeEngine } from '../helpers/fake-engine';
import type { FakeReply } from '../helpers/fake-engine';
import { readSse } from '../helpers/sse-reader';

async function pngDataUrl(width: number, height: number): Promise<string> {
  const png = await sharp({ create: { width, height, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

async function withServer(replies: FakeReply[], options: OpenAiServerOptionsInput, run: (url: string, engine: FakeEngine) => Promise<void>): Promise<void> {
  const engine = new FakeEngine({ replies });
  const server = new OpenAiServer(engine, { host: '127.0.0.1', port: 0, processMetrics: false, ...options });
  const url = await server.start();
  try {
    await run(url, engine);
  } finally {
    await server.stop();
  }
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const ANSWER = 'The red star is at [0.250, 0.250, 0.750, 0.750].';

describe('lego serve: /v1/chat/completions', () => {
  it('answers plain JSON with the grounding as text and as structured fields (model frame + pixels)', async () => {
    const image = await pngDataUrl(200, 100);
    await withServer([ANSWER], {}, async (url, engine) => {
      const res = await post(url, {
        model: 'x',
        messages: [
          { role: 'system', content: 'ignored' },
          { role: 'user', content: [{ type: 'image_url', image_url: { url: image } }, { type: 'text', text: 'Where is the red star?' }] },
        ],
        temperature: 0,
        max_tokens: 32,
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as WireCompletion;
      const choice = body.choices[0]!;
      expect(choice.message.content).toBe(ANSWER);
      expect(choice.finish_reason).toBe('stop');
      expect(choice.message.grounding.boxes).toEqual([
        { index: 1, x1: 0.25, y1: 0.25, x2: 0.75, y2: 0.75, pixels: { x1: 50, y1: 0, x2: 150, y2: 100 }, label: 'red star', raw: '[0.250, 0.250, 0.750, 0.750]' },
      ]);
      expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
      const call = engine.calls[0]!.request;
      expect(call.turns).toEqual([{ role: 'user', text: 'Where is the red star?' }]);
      expect(call.media?.kind).toBe('image');
      expect(call.media?.size).toEqual({ width: 200, height: 100 });
      expect(call.options).toMatchObject({ temperature: 0, maxNewTokens: 32 });
    });
  });

  it('streams SSE chunks: role, text deltas, a grounding delta per box, finish with usage, [DONE]', async () => {
    await withServer([ANSWER], {}, async (url) => {
      const res = await post(url, { messages: [{ role: 'user', content: 'Where?' }], stream: true });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      const events = await readSse(res);
      expect(events[events.length - 1]).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as WireChunk);
      expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
      const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
      expect(text).toBe(ANSWER);
      const boxes = chunks.flatMap((c) => c.choices[0]?.delta.grounding?.boxes ?? []);
      expect(boxes).toEqual([{ index: 1, x1: 0.25, y1: 0.25, x2: 0.75, y2: 0.75, label: 'red star', raw: '[0.250, 0.250, 0.750, 0.750]' }]);
      const last = chunks[chunks.length - 1]!;
      expect(last.choices[0]!.finish_reason).toBe('stop');
      expect(last.usage?.completion_tokens).toBeGreaterThan(0);
    });
  });

  it('passes multi-turn conversations as LEGO turns', async () => {
    await withServer(['ok'], {}, async (url, engine) => {
      const res = await post(url, {
        messages: [
          { role: 'user', content: 'q1' },
          { role: 'assistant', content: 'a1' },
          { role: 'user', content: [{ type: 'text', text: 'q2' }] },
        ],
      });
      expect(res.status).toBe(200);
      expect(engine.calls[0]!.request.turns).toEqual([
        { role: 'user', text: 'q1' },
        { role: 'assistant', text: 'a1' },
        { role: 'user', text: 'q2' },
      ]);
    });
  });
});

describe('lego serve: bad requests get 4xx JSON in OpenAI’s error shape', () => {
  const cases: [string, unknown, number, string][] = [
    ['invalid JSON', '{"messages": [', 400, 'bad-input'],
    ['empty body', '', 400, 'bad-input'],
    ['no messages', { model: 'x' }, 400, 'bad-input'],
    ['a wrong content part', { messages: [{ role: 'user', content: [{ type: 'audio', x: 1 }] }] }, 400, 'bad-input'],
    ['ending with the assistant', { messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }, 400, 'bad-input'],
    ['n > 1', { messages: [{ role: 'user', content: 'a' }], n: 2 }, 400, 'bad-input'],
    ['a malformed data: URL', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: 'data:image/png;base64' }] }] }, 400, 'bad-input'],
    ['bytes that are no image', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,aGVsbG8gd29ybGQ=' } }] }] }, 415, 'unsupported-media'],
    ['a URL while fetching is off', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }, 403, 'download-refused'],
    ['two images', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: 'data:,a' }, { type: 'image_url', image_url: 'data:,b' }] }] }, 400, 'bad-input'],
  ];
  for (const [name, body, status, code] of cases) {
    it(`${name} -> ${status} ${code}`, async () => {
      await withServer([], {}, async (url, engine) => {
        const res = await post(url, body);
        expect(res.status).toBe(status);
        expect(res.headers.get('content-type')).toBe('application/json');
        const error = (await res.json()) as WireError;
        expect(error.error.code).toBe(code);
        expect(error.error.type).toBe('invalid_request_error');
        expect(error.error.retryable).toBe(false);
        expect(typeof error.error.message).toBe('string');
        expect(engine.calls).toHaveLength(0);
      });
    });
  }

  // issue 19, fault 7: a malformed data: URL got a 500 (a bad %-escape threw URIError), and the base64
  // check was a backtracking regex that took seconds on a long run of spaces
  const image = (url: string): unknown => ({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }, { type: 'text', text: 'what?' }] }] });
  it.each([
    ['a bad %-escape', 'data:image/png,%E0%A4%A', /malformed %-escape/],
    ['a character outside base64', 'data:image/png;base64,iVBORw0K*GgoAAAA', /"\*" at character 9/],
    ['padding in the middle', 'data:image/png;base64,iVBO=Rw0KGgo', /"=" padding before its end/],
    ['cut-off base64', 'data:image/png;base64,iVBORw0KG', /cut off/],
  ])('a data: URL with %s -> 400 bad-input with the reason', async (_name, url, reason) => {
    await withServer([], {}, async (base, engine) => {
      const res = await post(base, image(url));
      expect(res.status).toBe(400);
      const error = (await res.json()) as WireError;
      expect(error.error).toMatchObject({ code: 'bad-input', type: 'invalid_request_error', param: 'messages.0.content.0' });
      expect(error.error.message).toMatch(reason);
      expect(engine.calls).toHaveLength(0);
    });
  });

  it('a long run of whitespace in a data: URL is refused in linear time', async () => {
    await withServer([], {}, async (base) => {
      const started = Date.now();
      const res = await post(base, image(`data:image/png;base64,${' '.repeat(100_000)}!`));
      expect(res.status).toBe(400);
      expect(Date.now() - started).toBeLessThan(1_000); // was 6 s before the fix
    });
  });

  it('an oversized body -> 413 without reading it all', async () => {
    await withServer([], { maxBodyBytes: 1000 }, async (url) => {
      const res = await post(url, { messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
      expect(res.status).toBe(413);
      expect(((await res.json()) as WireError).error.code).toBe('too-large');
    });
  });

  it('an oversized image -> 413', async () => {
    const image = await pngDataUrl(64, 64);
    await withServer([], { media: { maxImageBytes: 100 } }, async (url) => {
      const res = await post(url, { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: image } }] }] });
      expect(res.status).toBe(413);
      const error = (await res.json()) as WireError;
      expect(error.error.param).toBe('messages.0.content.0');
    });
  });

  it('unknown routes -> 404, GET on the chat route -> 405', async () => {
    await withServer([], {}, async (url) => {
      expect((await fetch(`${url}/nope`)).status).toBe(404);
      expect((await fetch(`${url}/v1/chat/completions`)).status).toBe(405);
    });
  });
});

describe('lego serve: media URLs', () => {
  async function withImageHost(run: (imageUrl: string) => Promise<void>): Promise<void> {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 0, g: 0, b: 255 } } }).png().toBuffer();
    const host = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(png);
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    try {
      await run(`http://127.0.0.1:${(host.address() as AddressInfo).port}/a.png`);
    } finally {
      await new Promise((resolve) => host.close(resolve));
    }
  }

  it('refuses 127.0.0.1 by default even when URL fetching is allowed', async () => {
    await withImageHost(async (imageUrl) => {
      await withServer([], { fetch: { allowUrlFetch: true } }, async (url) => {
        const res = await post(url, { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: imageUrl } }] }] });
        expect(res.status).toBe(403);
        expect(((await res.json()) as WireError).error.message).toMatch(/private address/);
      });
      // localhost resolves to loopback: refused after DNS
      await withServer([], { fetch: { allowUrlFetch: true } }, async (url) => {
        const res = await post(url, { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: imageUrl.replace('127.0.0.1', 'localhost') } }] }] });
        expect(res.status).toBe(403);
      });
    });
  });

  it('fetches a private address only when that is allowed too', async () => {
    await withImageHost(async (imageUrl) => {
      await withServer(['ok'], { fetch: { allowUrlFetch: true, allowPrivateAddresses: true } }, async (url, engine) => {
        const res = await post(url, { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: imageUrl } }, { type: 'text', text: 'hi' }] }] });
        expect(res.status).toBe(200);
        expect(engine.calls[0]!.request.media?.size).toEqual({ width: 8, height: 8 });
      });
    });
  });

  it('knows the private ranges', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', 'not-an-ip']) {
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8']) expect([a, isPrivateAddress(a)]).toEqual([a, false]);
  });
});

describe('lego serve: engine errors', () => {
  it('busy -> 503 with Retry-After and retryable: true', async () => {
    await withServer([{ error: new LegoError('busy', 'queue full') }], {}, async (url) => {
      const res = await post(url, { messages: [{ role: 'user', content: 'a' }], stream: true });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      const error = (await res.json()) as WireError;
      expect(error.error).toMatchObject({ code: 'busy', retryable: true, type: 'service_unavailable' });
    });
  });

  it('engine-failed -> 500, not retryable, no internal detail', async () => {
    await withServer([{ error: new LegoError('engine-failed', 'secret stack detail') }], {}, async (url) => {
      const res = await post(url, { messages: [{ role: 'user', content: 'a' }] });
      expect(res.status).toBe(500);
      const error = (await res.json()) as WireError;
      expect(error.error.message).not.toMatch(/secret/);
      expect(error.error.retryable).toBe(false);
    });
  });

  it('an error mid-stream ends the stream with an error event and [DONE]', async () => {
    await withServer([{ text: 'Hello there, friend.', error: new LegoError('engine-timeout', 'slow'), errorAfterChars: 8 }], {}, async (url) => {
      const res = await post(url, { messages: [{ role: 'user', content: 'a' }], stream: true });
      expect(res.status).toBe(200);
      const events = await readSse(res);
      expect(events[events.length - 1]).toBe('[DONE]');
      const error = JSON.parse(events[events.length - 2]!) as WireError;
      expect(error.error).toMatchObject({ code: 'engine-timeout', retryable: true });
    });
  });
});

describe('lego serve: a client that goes away', () => {
  it('aborts the answer and keeps serving', async () => {
    await withServer([{ text: 'A long answer that streams slowly, piece by piece.', delayMs: 30 }, 'next'], {}, async (url, engine) => {
      const controller = new AbortController();
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'a' }], stream: true }),
        signal: controller.signal,
      });
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort();
      for (let i = 0; i < 50 && engine.calls[0]!.signal?.aborted !== true; i += 1) await new Promise((r) => setTimeout(r, 20));
      expect(engine.calls[0]!.signal?.aborted).toBe(true);
      const again = await post(url, { messages: [{ role: 'user', content: 'b' }] });
      expect(((await again.json()) as WireCompletion).choices[0]!.message.content).toBe('next');
    });
  });
});

describe('lego serve: /healthz, /v1/models and /metrics', () => {
  it('reports health, the media spec and Prometheus metrics', async () => {
    await withServer([ANSWER], { processMetrics: true }, async (url) => {
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string; lego: { media: { image: { size: number } } } }[] };
      expect(models.data[0]!.lego.media.image.size).toBe(96);
      await post(url, { messages: [{ role: 'user', content: 'Where?' }] });
      await post(url, '{');
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/lego_serve_requests_total\{route="\/v1\/chat\/completions",status="200"\} 1/);
      expect(metrics).toMatch(/lego_serve_requests_total\{route="\/v1\/chat\/completions",status="400"\} 1/);
      expect(metrics).toMatch(/lego_serve_request_duration_seconds_bucket\{le="\+Inf",stream="false"\} 1/);
      expect(metrics).toMatch(/lego_serve_completion_tokens_total [1-9]/);
      expect(metrics).toMatch(/lego_serve_queue_depth 0/);
      expect(metrics).toMatch(/lego_serve_errors_total\{code="bad-input"\} 1/);
      expect(metrics).toMatch(/lego_serve_nodejs_eventloop_lag/);
    });
  });
});
