import { connect } from 'node:net';
import { WebAdapter } from '../../adapters/web';
import type { WebReply } from '../../adapters/web';
import { httpRequest, parseSse } from '../helpers/http-client';
import { ScriptedBot } from '../helpers/scripted-bot';
import type { IncomingAttachment } from '../../src/bot/types';

const CONVERSATION = 'tab-0123456789abcdef';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077053e0000000c4944415408d763f8cfc000000301010018dd8db40000000049454e44ae426082', 'hex');

interface Started {
  web: WebAdapter;
  bot: ScriptedBot;
  base: string;
}

const running: WebAdapter[] = [];

/** A bot that records the uploads it is asked to prepare ahead of their question. */
class AheadBot extends ScriptedBot {
  readonly ahead: IncomingAttachment[] = [];
  prepareAhead(attachment: IncomingAttachment): void {
    this.ahead.push(attachment);
  }
}

async function start(bot = new ScriptedBot(), options: ConstructorParameters<typeof WebAdapter>[1] = {}): Promise<Started> {
  const web = new WebAdapter({ bot }, { port: 0, maxImageBytes: 1000, maxVideoBytes: 2000, heartbeatMs: 0, partialIntervalMs: 0, ...options });
  await web.start();
  running.push(web);
  return { web, bot, base: web.address };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((web) => web.stop()));
});

async function upload(base: string, data: Buffer, contentType = 'image/png', conversation = CONVERSATION): Promise<string> {
  const res = await httpRequest(base, `/api/uploads?conversation=${conversation}&name=dot.png`, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body: data,
  });
  expect(res.status).toBe(201);
  return res.json<{ id: string }>().id;
}

function chat(base: string, body: unknown, headers: Record<string, string> = {}) {
  return httpRequest(base, '/api/chat', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('web chat HTTP API', () => {
  test('serves the page and its files from a loopback address', async () => {
    const { base } = await start();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await httpRequest(base, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.text).toContain('<label for="question"');
    const js = await httpRequest(base, '/app.js');
    expect(js.headers['content-type']).toContain('javascript');
    expect((await httpRequest(base, '/../package.json')).status).toBe(404);
    expect((await httpRequest(base, '/nope.html')).status).toBe(404);
    expect((await httpRequest(base, '/api/health')).json()).toEqual({ ok: true });
  });

  test('a port in use is a clear start-up error', async () => {
    const { web } = await start();
    const port = Number(new URL(web.address).port);
    const second = new WebAdapter({ bot: new ScriptedBot() }, { port });
    await expect(second.start()).rejects.toThrow(/port is in use.*LEGO_WEB_PORT/);
  });

  test('address before start is an error', () => {
    const web = new WebAdapter({ bot: new ScriptedBot() });
    expect(() => web.address).toThrow(/not started/);
  });

  test('an upload is handed to the bot to prepare while its question is on the way', async () => {
    const bot = new AheadBot();
    const { base } = await start(bot);
    const id = await upload(base, PNG);
    expect(bot.ahead).toHaveLength(1);
    expect(bot.ahead[0]).toMatchObject({ id, contentType: 'image/png', size: PNG.length });
    expect((await bot.ahead[0]!.fetch({ maxBytes: 1000 })).equals(PNG)).toBe(true);
    await expect(bot.ahead[0]!.fetch({ maxBytes: 10 })).rejects.toThrow(/over 10/);
  });

  test('the same photo uploaded twice is held once: the second request\'s bytes are the first\'s', async () => {
    const bot = new AheadBot();
    const { base } = await start(bot, { maxImageBytes: 1_000_000 });
    const photo = Buffer.alloc(200_000);
    for (let i = 0; i < photo.length; i += 1) photo[i] = (i * 13) & 0xff;
    const ids = [await upload(base, photo, 'image/jpeg'), await upload(base, Buffer.from(photo), 'image/jpeg')];
    expect(new Set(ids).size).toBe(2);
    const [first, second] = await Promise.all(bot.ahead.map((attachment) => attachment.fetch({ maxBytes: 1_000_000 })));
    expect(first!.equals(photo)).toBe(true);
    expect(second).toBe(first);
  });

  test('uploads beyond maxReceivingBytes wait unread until the ones being received are in; a larger one comes alone', async () => {
    const bot = new AheadBot();
    const { base } = await start(bot, { maxImageBytes: 1_000_000, maxReceivingBytes: 150_000 });
    const url = new URL(base);
    // A: declares 100 KB, sends half, and holds its place in the budget
    const a = connect(Number(url.port), url.hostname);
    let aAnswer = '';
    a.setEncoding('latin1');
    a.on('data', (chunk: string) => (aAnswer += chunk));
    const body = Buffer.alloc(100_000, 3);
    a.write(`POST /api/uploads?conversation=${CONVERSATION}&name=a.jpg HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: image/jpeg\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
    a.write(body.subarray(0, 50_000));
    await new Promise((done) => setTimeout(done, 100));
    // B: 100 KB more would pass 150 KB: it waits, though all its bytes are sent
    const order: string[] = [];
    const b = upload(base, Buffer.alloc(100_000, 4), 'image/jpeg').then((id) => {
      order.push('b');
      return id;
    });
    await new Promise((done) => setTimeout(done, 300));
    expect(order).toEqual([]);
    expect(bot.ahead).toHaveLength(0);
    // an upload over the image limit is refused at once from its Content-Length, not queued
    const tooBig = await httpRequest(base, `/api/uploads?conversation=${CONVERSATION}`, { method: 'POST', headers: { 'Content-Type': 'image/jpeg' }, body: Buffer.alloc(1_000_001) });
    expect(tooBig.status).toBe(413);
    expect(order).toEqual([]);
    // A finishes: it is answered, then B is read and answered
    const aClosed = new Promise((done) => a.once('close', done));
    a.end(body.subarray(50_000));
    await aClosed;
    expect(aAnswer).toMatch(/^HTTP\/1\.1 201/);
    await b;
    expect(order).toEqual(['b']);
    expect(bot.ahead.map((attachment) => [attachment.name, attachment.size])).toEqual([
      ['a.jpg', 100_000],
      ['dot.png', 100_000],
    ]);
    // one upload larger than the whole budget is received by itself
    await upload(base, Buffer.alloc(200_000, 5), 'image/jpeg');
    expect(bot.ahead).toHaveLength(3);
  });

  test('DELETE /api/uploads/ID lets go of an upload the page no longer needs; asking with it then says it is gone', async () => {
    const { base } = await start();
    const id = await upload(base, PNG);
    expect((await httpRequest(base, `/api/uploads/${id}?conversation=tab-ffffffffffffffff`, { method: 'DELETE' })).status).toBe(404);
    expect((await httpRequest(base, `/api/uploads/${id}?conversation=${CONVERSATION}`, { method: 'DELETE' })).status).toBe(204);
    expect((await httpRequest(base, `/api/uploads/${id}?conversation=${CONVERSATION}`, { method: 'DELETE' })).status).toBe(404);
    const res = await chat(base, { conversation: CONVERSATION, text: 'What is this?', uploads: [id] });
    expect(res.status).toBe(404);
    expect(res.text).toMatch(/expired.*attach the file again/);
  });

  test('upload, ask, and the answer streams as status, partials, reply, done', async () => {
    const { base, bot } = await start(
      new ScriptedBot({ replies: [{ text: 'The dot [1] is here.', boxes: [{ ref: 1, pixels: { x1: 0, y1: 0, x2: 1, y2: 1 }, label: 'dot' }] }] }),
    );
    const id = await upload(base, PNG);
    const res = await chat(base, { conversation: CONVERSATION, text: 'Where is the dot?', uploads: [id] });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const events = parseSse(res.text);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('typing');
    expect(names).toContain('status');
    expect(names.filter((n) => n === 'partial').length).toBeGreaterThan(1);
    expect(names.slice(-2)).toEqual(['reply', 'done']);
    const partials = events.filter((e) => e.event === 'partial').map((e) => (e.data as { text: string }).text);
    expect(partials.every((p, i) => i === 0 || p.startsWith(partials[i - 1]!))).toBe(true);
    const reply = events.find((e) => e.event === 'reply')!.data as WebReply;
    expect(reply.text).toBe('The dot [1] is here.');
    expect(reply.boxes).toEqual([{ ref: 1, pixels: { x1: 0, y1: 0, x2: 1, y2: 1 }, label: 'dot' }]);
    const call = bot.calls[0]!;
    expect(call.message).toMatchObject({ platform: 'web', conversationKey: `web:${CONVERSATION}`, text: 'Where is the dot?' });
    expect(call.message.attachments[0]).toMatchObject({ name: 'dot.png', contentType: 'image/png', size: PNG.length });
    expect(call.bytes[0]!.equals(PNG)).toBe(true);
  });

  test('an upload serves the message that names it and is then let go (the bot keeps what follow-ups need)', async () => {
    const { base, bot } = await start();
    const id = await upload(base, PNG);
    expect((await chat(base, { conversation: CONVERSATION, text: 'Where is the dot?', uploads: [id] })).status).toBe(200);
    expect(bot.calls[0]!.bytes[0]!.equals(PNG)).toBe(true);
    // the adapter holds no copy of it any more: naming it again is an expired upload
    const again = await chat(base, { conversation: CONVERSATION, text: 'And now?', uploads: [id] });
    expect(again.status).toBe(404);
    expect(again.json<{ error: { message: string } }>().error.message).toMatch(/expired/);
  });

  test('a fast-growing answer is sent at most every partialIntervalMs, and the last text always arrives', async () => {
    const text = 'x'.repeat(300);
    const { base } = await start(new ScriptedBot({ replies: [{ text }], chunkSize: 1 }), { partialIntervalMs: 1000 });
    const events = parseSse((await chat(base, { conversation: CONVERSATION, text: 'hi' })).text);
    const partials = events.filter((e) => e.event === 'partial').map((e) => (e.data as { text: string }).text);
    expect(partials.length).toBeLessThan(5);
    expect(partials.at(-1)).toBe(text);
  });

  test('follow-ups in the same tab share the conversation key; other tabs do not', async () => {
    const { base, bot } = await start();
    await chat(base, { conversation: CONVERSATION, text: 'first' });
    await chat(base, { conversation: CONVERSATION, text: 'what is in box 2?' });
    await chat(base, { conversation: 'another-tab-99999', text: 'hello' });
    const keys = bot.calls.map((c) => c.message.conversationKey);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  test('answer files are served by URL with their type', async () => {
    const bot = new ScriptedBot({
      replies: [{ text: 'Drawn.', files: [{ name: 'annotated.png', contentType: 'image/png', data: PNG, kind: 'annotated-image', description: 'boxes' }] }],
    });
    const { base } = await start(bot);
    const events = parseSse((await chat(base, { conversation: CONVERSATION, text: 'draw' })).text);
    const reply = events.find((e) => e.event === 'reply')!.data as WebReply;
    expect(reply.files).toEqual([expect.objectContaining({ name: 'annotated.png', kind: 'annotated-image', description: 'boxes' })]);
    const file = await httpRequest(base, reply.files[0]!.url);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.body.equals(PNG)).toBe(true);
    expect((await httpRequest(base, '/api/files/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });

  test('an upload over the limit is refused from Content-Length, politely, and never reaches the bot', async () => {
    const { base, bot } = await start();
    const res = await httpRequest(base, `/api/uploads?conversation=${CONVERSATION}`, {
      method: 'POST',
      headers: { 'Content-Type': 'image/png' },
      body: Buffer.alloc(1001),
    });
    expect(res.status).toBe(413);
    expect(res.json()).toEqual({ error: { code: 'too-large', message: expect.stringMatching(/too large.*limit is 1000 bytes/), retryable: false } });
    expect(bot.calls).toHaveLength(0);
  });

  test('an upload over the limit without Content-Length is cut while streaming', async () => {
    const { base } = await start();
    const res = await httpRequest(base, `/api/uploads?conversation=${CONVERSATION}`, {
      method: 'POST',
      headers: { 'Content-Type': 'video/mp4' },
      chunks: [Buffer.alloc(1500), Buffer.alloc(1500)],
    });
    expect(res.status).toBe(413);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/video is too large.*2 KB/);
  });

  test('videos have their own, larger limit', async () => {
    const { base } = await start();
    await upload(base, Buffer.alloc(1500, 1), 'video/mp4');
  });

  test('sounds have their own limit', async () => {
    const { base } = await start(undefined, { maxAudioBytes: 1200 });
    await upload(base, Buffer.alloc(1100, 1), 'audio/mpeg');
    const res = await httpRequest(base, `/api/uploads?conversation=${CONVERSATION}`, { method: 'POST', headers: { 'Content-Type': 'audio/wav' }, body: Buffer.alloc(1300, 1) });
    expect(res.status).toBe(413);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/^Sorry, that sound is too large/);
  });

  test('only image, video and audio types are accepted', async () => {
    const { base } = await start();
    for (const type of ['text/plain', 'application/pdf', '']) {
      const res = await httpRequest(base, `/api/uploads?conversation=${CONVERSATION}`, {
        method: 'POST',
        headers: type === '' ? {} : { 'Content-Type': type },
        body: Buffer.from('hello'),
      });
      expect(res.status).toBe(415);
      expect(res.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'unsupported-media', message: expect.stringMatching(/^Sorry/) });
    }
  });

  test('bad requests get 400/404 with a short message', async () => {
    const { base, bot } = await start();
    expect((await chat(base, { conversation: CONVERSATION, text: '   ' })).status).toBe(400);
    expect((await chat(base, { conversation: 'x', text: 'hi' })).status).toBe(400);
    expect((await chat(base, { conversation: CONVERSATION, text: 'x'.repeat(5000) })).status).toBe(400);
    const notJson = await httpRequest(base, '/api/chat', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{oops' });
    expect(notJson.status).toBe(400);
    const form = await httpRequest(base, '/api/chat', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(400);
    const unknown = await chat(base, { conversation: CONVERSATION, text: 'hi', uploads: ['00000000-0000-0000-0000-000000000000'] });
    expect(unknown.status).toBe(404);
    expect(unknown.json<{ error: { message: string } }>().error.message).toMatch(/attach the file again/);
    const id = await upload(base, PNG, 'image/png', 'someone-elses-tab');
    expect((await chat(base, { conversation: CONVERSATION, text: 'hi', uploads: [id] })).status).toBe(404);
    expect((await httpRequest(base, '/api/nothing')).status).toBe(404);
    expect(bot.calls).toHaveLength(0);
  });

  test('reset goes through the pipeline and forgets the tab\'s uploads', async () => {
    const { base, bot } = await start();
    const id = await upload(base, PNG);
    const res = await httpRequest(base, '/api/reset', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ conversation: CONVERSATION }),
    });
    expect(res.status).toBe(200);
    expect(res.json<WebReply>().text).toMatch(/forgot/);
    expect(bot.resets).toEqual([`web:${CONVERSATION}`]);
    expect((await chat(base, { conversation: CONVERSATION, text: 'hi', uploads: [id] })).status).toBe(404);
  });

  test('the byte limit the pipeline asks for is enforced by attachment.fetch', async () => {
    const { base } = await start(new ScriptedBot({ maxBytes: 10 }));
    const id = await upload(base, PNG);
    const reply = parseSse((await chat(base, { conversation: CONVERSATION, text: 'hi', uploads: [id] })).text).find((e) => e.event === 'reply')!
      .data as WebReply;
    expect(reply.error).toEqual({ code: 'too-large', retryable: false });
    expect(reply.text).toMatch(/too large/);
  });

  test('a thrown pipeline error becomes a polite reply event', async () => {
    const { base } = await start(new ScriptedBot({ replies: [() => { throw new Error('secret internals'); }] }));
    const events = parseSse((await chat(base, { conversation: CONVERSATION, text: 'hi' })).text);
    const reply = events.find((e) => e.event === 'reply')!.data as WebReply;
    expect(reply.text).toBe('Sorry, something went wrong on my side.');
    expect(JSON.stringify(events)).not.toContain('secret internals');
  });

  test('closing the browser request aborts the answer', async () => {
    const bot = new ScriptedBot({ delayMs: 50, chunkSize: 1 });
    const { base } = await start(bot);
    const cut = httpRequest(base, '/api/chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ conversation: CONVERSATION, text: 'another long question' }),
      abortAfterMs: 120,
    });
    await expect(cut).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bot.calls[0]!.signal!.aborted).toBe(true);
  }, 20_000);

  test('other Host names and cross-site origins are refused', async () => {
    const { base } = await start();
    expect((await httpRequest(base, '/', { headers: { Host: 'evil.example:8080' } })).status).toBe(403);
    const cross = await chat(base, { conversation: CONVERSATION, text: 'hi' }, { Origin: 'http://evil.example' });
    expect(cross.status).toBe(403);
    const same = await chat(base, { conversation: CONVERSATION, text: 'hi' }, { Origin: base });
    expect(same.status).toBe(200);
  });

  test('stop() lets a quick answer finish and cuts a slow one after the grace period', async () => {
    const bot = new ScriptedBot({ delayMs: 100, chunkSize: 1 });
    const { web, base } = await start(bot, { shutdownGraceMs: 200 });
    const pending = chat(base, { conversation: CONVERSATION, text: 'a question that takes far longer than the grace period' }).catch((e: Error) => e);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const started = Date.now();
    await web.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(bot.calls[0]!.signal!.aborted).toBe(true);
    const res = await pending;
    if (!(res instanceof Error)) {
      const reply = parseSse(res.text).find((e) => e.event === 'reply')?.data as WebReply | undefined;
      expect(reply?.error?.code).toBe('aborted');
    }
  });
});
