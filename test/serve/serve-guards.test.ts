/**
 * Issue 19, faults 1, 5 and 6 on `lego serve`: text and token caps before anything is tokenised,
 * header/body timeouts, and the Host / Origin / Content-Type checks against DNS rebinding.
 */
import { connect } from 'node:net';
import { OpenAiServer } from '../../adapters/openai-server/openai-server';
import type { OpenAiServerOptionsInput } from '../../adapters/openai-server/serve-options';
import { hostAllowed } from '../../adapters/openai-server/request-guard';
import type { WireError } from '../../src/engine/remote/openai-wire';
import { FakeEngine } from '../helpers/fake-engine';
import { httpRequest } from '../helpers/http-client';
import { slowRequest } from '../helpers/slow-client';

async function withServer(options: OpenAiServerOptionsInput, run: (url: string, engine: FakeEngine) => Promise<void>): Promise<void> {
  const engine = new FakeEngine({ fallback: 'Fine.' });
  const server = new OpenAiServer(engine, { host: '127.0.0.1', port: 0, processMetrics: false, ...options });
  const url = await server.start();
  try {
    await run(url, engine);
  } finally {
    await server.stop();
  }
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** fetch() does not let a caller set Host: node:http does */
async function postAs(url: string, host: string): Promise<{ status: number; code: string | undefined }> {
  const res = await httpRequest(url, '/v1/chat/completions', { method: 'POST', headers: { 'Content-Type': 'application/json', Host: host }, body: JSON.stringify(ask()) });
  return { status: res.status, code: res.status === 200 ? undefined : res.json<WireError>().error.code ?? undefined };
}

const ask = (text = 'Where?'): unknown => ({ messages: [{ role: 'user', content: text }] });

async function errorOf(res: Response): Promise<WireError['error']> {
  expect(res.headers.get('content-type')).toBe('application/json');
  return ((await res.json()) as WireError).error;
}

describe('lego serve: text and token caps before tokenising (fault 1)', () => {
  it('a message over maxMessageChars -> 413 too-large naming the message; the engine never sees it', async () => {
    await withServer({ maxMessageChars: 1000 }, async (url, engine) => {
      const res = await post(url, { messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(600) }, { type: 'text', text: 'y'.repeat(600) }] }] });
      expect(res.status).toBe(413);
      const error = await errorOf(res);
      expect(error).toMatchObject({ code: 'too-large', type: 'invalid_request_error', param: 'messages.0.content' });
      expect(error.message).toMatch(/1201 characters.*limit of 1000/);
      expect(engine.calls).toHaveLength(0);
    });
  });

  it('a conversation over maxTotalChars -> 413, however its turns are cut', async () => {
    await withServer({ maxTotalChars: 5000 }, async (url, engine) => {
      const messages = Array.from({ length: 21 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: 'z'.repeat(300) }));
      const res = await post(url, { messages });
      expect(res.status).toBe(413);
      expect(await errorOf(res)).toMatchObject({ code: 'too-large', param: 'messages' });
      expect(engine.calls).toHaveLength(0);
      expect((await post(url, { messages: messages.slice(0, 15) })).status).toBe(200);
    });
  });

  it('max_tokens over maxNewTokens -> 400 naming the field', async () => {
    await withServer({ maxNewTokens: 256 }, async (url, engine) => {
      const res = await post(url, { ...(ask() as object), max_tokens: 100_000 });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'bad-input', param: 'max_tokens' });
      expect((await post(url, { ...(ask() as object), max_completion_tokens: 256 })).status).toBe(200);
      expect(engine.calls).toHaveLength(1);
    });
  });

  it('a 20 MB request with the default caps is refused in well under a second', async () => {
    await withServer({}, async (url, engine) => {
      const messages = Array.from({ length: 199 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: 'the red star '.repeat(8_000) }));
      const started = Date.now();
      const res = await post(url, { messages });
      expect(res.status).toBe(413);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(engine.calls).toHaveLength(0);
    });
  });
});

describe('lego serve: request bodies received within maxReceivingBytes', () => {
  it('a body that would pass the budget waits unread until the ones being received are in; a larger one comes alone', async () => {
    await withServer({ maxReceivingBytes: 150_000, maxBodyBytes: 500_000 }, async (url, engine) => {
      const target = new URL(url);
      const first = Buffer.from(JSON.stringify(ask(`first ${'a'.repeat(90_000)}`)));
      // A: sends its head and half its body, and holds its place in the budget
      const a = connect(Number(target.port), target.hostname);
      let aAnswer = '';
      a.setEncoding('latin1');
      a.on('data', (chunk: string) => (aAnswer += chunk));
      a.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\nContent-Length: ${first.length}\r\nConnection: close\r\n\r\n`);
      a.write(first.subarray(0, 50_000));
      await new Promise((done) => setTimeout(done, 100));
      // B: another 90 KB would pass 150 KB: it waits, though all of it is sent
      let bSettled = false;
      const b = post(url, ask(`second ${'b'.repeat(90_000)}`)).then((res) => {
        bSettled = true;
        return res;
      });
      await new Promise((done) => setTimeout(done, 300));
      expect(bSettled).toBe(false);
      expect(engine.calls).toHaveLength(0);
      // a body over maxBodyBytes is refused at once from its Content-Length, not queued
      expect((await post(url, ask('e'.repeat(600_000)))).status).toBe(413);
      expect(bSettled).toBe(false);
      const aClosed = new Promise((done) => a.once('close', done));
      a.write(first.subarray(50_000)); // not end(): a client that half-closes has gone away for lego serve
      await aClosed;
      expect(aAnswer).toMatch(/^HTTP\/1\.1 200/);
      expect((await b).status).toBe(200);
      expect(engine.calls.map((call) => /"(first|second) /.exec(JSON.stringify(call))?.[1])).toEqual(['first', 'second']);
      // one body larger than the whole budget is received by itself
      expect((await post(url, { messages: [{ role: 'user', content: 'c'.repeat(90_000) }, { role: 'assistant', content: 'd'.repeat(90_000) }, { role: 'user', content: 'Where?' }] })).status).toBe(200);
      expect(engine.calls).toHaveLength(3);
    });
  });
});

describe('lego serve: Host, Origin and Content-Type (fault 6)', () => {
  it('refuses a Host that is not loopback, an IP or configured (DNS rebinding) with 403', async () => {
    await withServer({}, async (url, engine) => {
      expect(await postAs(url, 'attacker.example:8090')).toEqual({ status: 403, code: 'forbidden-host' });
      const models = await httpRequest(url, '/v1/models', { headers: { Host: 'rebind.attacker.example' } });
      expect(models.status).toBe(403);
      for (const host of ['localhost:8090', '127.0.0.1', '[::1]:8090', '10.1.2.3:8090']) {
        expect(await postAs(url, host)).toEqual({ status: 200, code: undefined });
      }
      expect(engine.calls).toHaveLength(4);
    });
    await withServer({ allowedHosts: ['lego.internal'] }, async (url) => {
      expect((await postAs(url, 'lego.internal:8090')).status).toBe(200);
      expect((await postAs(url, 'other.internal')).status).toBe(403);
    });
    await withServer({ allowedHosts: ['*'] }, async (url) => {
      expect((await postAs(url, 'anything.example')).status).toBe(200);
    });
  });

  it('refuses browser Origins not allowed by config with 403; configured ones get CORS headers', async () => {
    await withServer({ allowedOrigins: ['https://app.example'] }, async (url, engine) => {
      const res = await post(url, ask(), { origin: 'https://evil.example' });
      expect(res.status).toBe(403);
      expect(await errorOf(res)).toMatchObject({ code: 'forbidden-origin' });
      expect((await post(url, ask(), { origin: 'null' })).status).toBe(403);
      expect(engine.calls).toHaveLength(0);
      const allowed = await post(url, ask(), { origin: 'https://app.example' });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
      const preflight = await fetch(`${url}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin: 'https://app.example' } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
      // no Origin: curl, SDKs and other servers
      expect((await post(url, ask())).status).toBe(200);
    });
  });

  it('requires application/json for POST (415), so a cross-site form or text/plain fetch cannot post', async () => {
    await withServer({}, async (url, engine) => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const res = await post(url, JSON.stringify(ask()), { 'content-type': type });
        expect(res.status).toBe(415);
        expect(await errorOf(res)).toMatchObject({ code: 'unsupported-content-type' });
      }
      expect(engine.calls).toHaveLength(0);
      expect((await post(url, ask(), { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
    });
  });

  it('knows loopback names, IP literals and ports in Host', () => {
    const policy = { listenHost: '0.0.0.0', allowedHosts: [], allowedOrigins: [] };
    expect(hostAllowed('LOCALHOST:1', policy)).toBe(true);
    expect(hostAllowed('app.localhost', policy)).toBe(true);
    expect(hostAllowed('[::1]', policy)).toBe(true);
    expect(hostAllowed('localhost.attacker.example', policy)).toBe(false);
    expect(hostAllowed('127.0.0.1.nip.io', policy)).toBe(false);
  });
});

describe('lego serve: header and body timeouts (fault 5)', () => {
  const head = (length: number): string[] => ['POST /v1/chat/completions HTTP/1.1', 'Host: 127.0.0.1', 'Content-Type: application/json', `Content-Length: ${length}`];

  it('a body that stops arriving gets 408 after bodyIdleTimeoutMs and the connection is closed', async () => {
    await withServer({ bodyIdleTimeoutMs: 300 }, async (url, engine) => {
      const result = await slowRequest(url, { head: head(1000), body: '{"messages":', pieceChars: 12, intervalMs: 10, giveUpMs: 5_000 });
      expect(result.status).toBe(408);
      expect(result.text).toMatch(/connection: close/i);
      expect(result.elapsedMs).toBeLessThan(2_000);
      expect(engine.calls).toHaveLength(0);
    });
  });

  it('a body trickled a byte at a time is cut at receiveTimeoutMs', async () => {
    await withServer({ bodyIdleTimeoutMs: 1_000, receiveTimeoutMs: 800, headersTimeoutMs: 500 }, async (url) => {
      const result = await slowRequest(url, { head: head(100_000), body: 'x'.repeat(10_000), intervalMs: 50, giveUpMs: 8_000 });
      expect(result.elapsedMs).toBeLessThan(4_000);
      expect(result.status === 408 || result.status === undefined).toBe(true);
    });
  });

  it('headers that never finish are cut at headersTimeoutMs', async () => {
    await withServer({ headersTimeoutMs: 400 }, async (url) => {
      const result = await slowRequest(url, { head: head(10), headChars: 40, giveUpMs: 8_000 });
      expect(result.elapsedMs).toBeLessThan(3_000);
      expect(result.status === 408 || result.status === undefined).toBe(true);
    });
  });
});
