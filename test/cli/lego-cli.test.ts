import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { runCli } from '../../src/cli/program';
import type { CliIo } from '../../src/cli/cli-io';
import { FakeEngine } from '../helpers/fake-engine';
import { greyPng } from '../helpers/bot-fixtures';
import { frameNumberVideo } from '../media/video-fixtures';

const run = promisify(execFile);
const ENV = { LEGO_ENGINE_BUNDLE: 'models/test-bundle', LEGO_ENGINE_GENERATION_MAX_NEW_TOKENS: '16', LEGO_ENGINE_THREADS: '1' };

function bufferIo(cwd: string, stdinLines: string[] = []): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    stdin: Readable.from(stdinLines.map((line) => `${line}\n`)),
    interactive: false,
    cwd,
    out: () => out,
    err: () => err,
  };
}

describe('lego CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lego-cli-'));
    writeFileSync(join(dir, 'grey.png'), await greyPng(120, 80));
    writeFileSync(join(dir, 'notes.png'), 'this is text, not a PNG');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ask --json prints exactly one JSON object with answer, boxes, spans and files', async () => {
    const io = bufferIo(process.cwd());
    const out = join(dir, 'out-json');
    const code = await runCli(['ask', '--image', join(dir, 'grey.png'), '--json', '--out', out, 'where', 'is', 'the', 'star?'], io, { env: ENV });
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const lines = io.out().trim().split('\n');
    expect(lines).toHaveLength(1);
    const json = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['answer', 'boxes', 'files', 'spans']);
    expect(typeof json.answer).toBe('string');
    expect(Array.isArray(json.boxes) && Array.isArray(json.spans) && Array.isArray(json.files)).toBe(true);
    for (const box of json.boxes as { ref: number; x1: number; y1: number; x2: number; y2: number }[]) {
      expect(Object.keys(box)).toEqual(expect.arrayContaining(['ref', 'x1', 'y1', 'x2', 'y2']));
      expect(box.x1).toBeGreaterThanOrEqual(0);
      expect(box.x2).toBeLessThanOrEqual(120);
    }
    for (const file of json.files as string[]) expect(existsSync(file)).toBe(true);
  });

  it('ask prints the answer and writes the annotated image (scripted output through the text path)', async () => {
    const io = bufferIo(dir);
    const code = await runCli(['ask', '--image', 'grey.png', '--out', 'out-text', 'what is it?'], io, { env: { ...ENV, LEGO_RENDER_ANNOTATE_WITHOUT_BOXES: 'true' } });
    expect(code).toBe(0);
    expect(io.out().length).toBeGreaterThan(0);
    expect(io.out()).toMatch(/saved out-text\/lego-boxes\.png/);
    const meta = await sharp(readFileSync(join(dir, 'out-text', 'lego-boxes.png'))).metadata();
    expect([meta.width, meta.height]).toEqual([120, 80]);
  });

  it('ask --video shows progress on stderr and keeps stdout to the one JSON object', async () => {
    await frameNumberVideo(join(dir, 'clip.mp4'), { seconds: 2, fps: 10, gop: 10 });
    const io = bufferIo(dir);
    const code = await runCli(['ask', '--video', 'clip.mp4', '--json', '--out', 'out-video', 'when does it change?'], io, { env: ENV });
    expect(code).toBe(0);
    expect(io.err()).toMatch(/^lego: Reading the video…$/m);
    const json = JSON.parse(io.out()) as { spans: { ref: number; start: number; end: number }[] };
    for (const span of json.spans) expect(span.end).toBeLessThanOrEqual(2.5);
  });

  it('--help lists the subcommands', async () => {
    const io = bufferIo(dir);
    expect(await runCli(['--help'], io, { env: ENV })).toBe(0);
    expect(io.out()).toMatch(/ask \[options\]/);
    expect(io.out()).toMatch(/chat \[options\]/);
  });

  it.each([
    [['ask', '--image', 'missing.png', 'what?'], /^lego: cannot read missing\.png: no such file\n$/],
    [['ask', '--image', 'notes.png', 'what?'], /^lego: Sorry, I cannot read that kind of file[^\n]*\n$/],
    [['ask', 'what?'], /^lego: ask needs exactly one of --image FILE or --video FILE \(and may add --audio FILE\)\n$/],
  ])('%j fails with one line and a non-zero exit code', async (argv, line) => {
    const io = bufferIo(dir);
    const code = await runCli(argv, io, { env: ENV });
    expect(code).not.toBe(0);
    expect(io.err()).toMatch(line);
    expect(io.out()).toBe('');
  });

  it('a bad configuration is one line naming the setting', async () => {
    const io = bufferIo(dir);
    const code = await runCli(['ask', '--image', 'grey.png', 'what?'], io, { env: { LEGO_ENGINE_THREADS: 'many' } });
    expect(code).toBe(1);
    expect(io.err()).toMatch(/^lego: .*LEGO_ENGINE_THREADS[^\n]*\n$/);
  });

  it('a missing bundle is one line naming it', async () => {
    const io = bufferIo(dir);
    const code = await runCli(['ask', '--bundle', join(dir, 'no-bundle'), '--image', 'grey.png', 'what?'], io, { env: {} });
    expect(code).toBe(1);
    expect(io.err().trim().split('\n')).toHaveLength(1);
    expect(io.err()).toMatch(/no-bundle/);
  });

  it('chat: multi-turn with /image, /regions, /reset, /help, an error line that does not end the chat, /quit', async () => {
    const io = bufferIo(dir, [
      '/image grey.png',
      'where is the star?',
      '/regions',
      '/image missing.png',
      '/image notes.png',
      '/reset',
      '/regions',
      '/help',
      '/quit',
      'never read',
    ]);
    const code = await runCli(['chat', '--out', 'chat-out'], io, { env: ENV });
    expect(code).toBe(0);
    const out = io.out();
    expect(out).toMatch(/Loaded grey\.png/);
    expect(out).toMatch(/Here is what I remember[\s\S]*image 1/);
    expect(out).toMatch(/forgotten this conversation/);
    expect(out).toMatch(/I do not remember anything/);
    expect(out).toMatch(/\/quit/);
    expect(io.err()).toMatch(/^lego: cannot read missing\.png: no such file$/m);
    // a file that is no media is refused when it is loaded, not after the question typed for it
    expect(io.err()).toMatch(/^lego: notes\.png is not an image, a video or a sound I can read\. Try a JPEG/m);
    expect(out).not.toMatch(/Loaded notes\.png/);
  });

  it('chat in a terminal streams the answer once, with [n] instead of coordinates', async () => {
    const engine = new FakeEngine({ replies: ['The red star [0.100, 0.300, 0.500, 0.700] is left.', 'It is red.'] });
    const io = { ...bufferIo(dir, ['/image grey.png where is the star?', 'what is in box 1?', '/quit']), interactive: true };
    const code = await runCli(['chat', '--out', 'chat-stream'], io, { env: ENV, engine });
    expect(code).toBe(0);
    const out = io.out();
    expect(out.match(/The red star/g)).toHaveLength(1);
    expect(out).toMatch(/lego> The red star \[1\] is left\.\n {2}\[1\] red star: x 12–60, y 16–64 px\n/);
    expect(out).toMatch(/lego> It is red\.\n/);
    expect(out).not.toMatch(/0\.100/);
    expect(out.match(/you> /g)).toHaveLength(3);
    expect(engine.disposed).toBe(false);
  });

  it('`npm run lego -- ask` works as a command (one JSON line on stdout), and a missing file exits non-zero', async () => {
    const image = join(dir, 'grey.png');
    const { stdout } = await run('npm', ['run', '-s', 'lego', '--', 'ask', '--json', '--image', image, '--out', join(dir, 'npm-out'), 'where?'], {
      env: { ...process.env, ...ENV },
      timeout: 120_000,
    });
    expect(Object.keys(JSON.parse(stdout.trim()) as object).sort()).toEqual(['answer', 'boxes', 'files', 'spans']);
    const failed = await run('npm', ['run', '-s', 'lego', '--', 'ask', '--image', join(dir, 'nope.png'), 'where?'], {
      env: { ...process.env, ...ENV },
      timeout: 120_000,
    }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).not.toBe(0);
    expect(failed?.code).toBeDefined();
    expect(failed?.stderr?.trim().split('\n').filter((l) => l.startsWith('lego:'))).toEqual([`lego: cannot read ${join(dir, 'nope.png')}: no such file`]);
  });
});

