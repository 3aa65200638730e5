/**
 * Two bot processes (`src/main.ts`, each its own node process) on one Redis: the web chat's uploads and
 * reply files live in the store, so a file uploaded to one is asked about on the other, and turns
 * alternate between them without losing the conversation (box 1 of an answer given by A is known to B).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import sharp from 'sharp';
import { readSse } from '../helpers/sse-reader';
import { sharedRedisUrl } from '../conversation/redis-server';

interface Instance {
  child: ChildProcess;
  address: string;
}

async function startInstance(namespace: string): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      LEGO_CONVERSATION_STORE: 'redis',
      LEGO_CONVERSATION_REDIS_URL: sharedRedisUrl(),
      LEGO_CONVERSATION_STORE_NAMESPACE: namespace,
      LEGO_WEB_PORT: '0',
      LEGO_ENGINE_BUNDLE: 'models/test-bundle',
      LEGO_ENGINE_GENERATION_MAX_NEW_TOKENS: '12',
      LEGO_ENGINE_THREADS: '1',
      LEGO_LOGGING_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address in 60 s: ${out} ${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /LEGO bot web chat: (http:\/\/\S+)/.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  return { child, address };
}

async function stop(instance: Instance | undefined): Promise<void> {
  if (instance === undefined || instance.child.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once('exit', resolve));
  instance.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (instance.child.exitCode === null) instance.child.kill('SIGKILL');
}

interface WebReplyEvent {
  text: string;
  error?: { code: string };
  boxes: { ref: number }[];
  files: { name: string; url: string; kind: string }[];
}

async function chat(base: string, conversation: string, text: string, uploads: string[] = []): Promise<WebReplyEvent> {
  const res = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ conversation, text, uploads }) });
  const events = (await readSse(res)).map((e) => JSON.parse(e) as Partial<WebReplyEvent>);
  return events.find((e) => Array.isArray(e.files)) as WebReplyEvent;
}

describe('two bot processes on one Redis', () => {
  let a: Instance | undefined;
  let b: Instance | undefined;
  afterAll(async () => {
    await stop(a);
    await stop(b);
  });

  test('upload on one, ask on the other; turns alternate; reply files are served by either', async () => {
    const namespace = `two-${Date.now()}`;
    [a, b] = await Promise.all([startInstance(namespace), startInstance(namespace)]);
    const png = await sharp({ create: { width: 120, height: 90, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
    const conversation = `two-${Date.now()}`;

    const up = await fetch(`${a.address}/api/uploads?conversation=${conversation}&name=red.png`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png });
    expect(up.status).toBe(201);
    const { id } = (await up.json()) as { id: string };

    // asked on B about the file uploaded to A
    const first = await chat(b.address, conversation, 'What is in this image?', [id]);
    expect(first.error).toBeUndefined();
    // the next turns alternate: the conversation (its media, its regions) is the same on both
    const second = await chat(a.address, conversation, 'regions');
    expect(second.error).toBeUndefined();
    const third = await chat(b.address, conversation, 'What colour is it?');
    expect(third.error).toBeUndefined();
    expect(third.text).not.toMatch(/I need an image/);
    const fourth = await chat(a.address, conversation, 'And the shape?');
    expect(fourth.text).not.toMatch(/I need an image|please send it again/i);

    // an export made on A is downloadable from B
    const exported = await chat(a.address, conversation, 'export');
    const md = exported.files.find((f) => f.name === 'conversation.md')!;
    const text = await (await fetch(new URL(md.url, b.address))).text();
    expect(text).toContain('**You:** What is in this image?');
    expect(text).toContain('**You:** What colour is it?');
    expect(text).toContain('**You:** And the shape?');

    // an upload id of another conversation is refused on either
    const other = await fetch(`${b.address}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ conversation: `${conversation}-other`, text: 'what is it?', uploads: [id] }),
    });
    expect(other.status).toBe(404);
    expect(await other.text()).toMatch(/expired/);
  }, 120_000);
});
