/**
 * @jest-environment ./test/helpers/onnx-jest-environment.ts
 *
 * `lego ask --image x.png --audio y.wav` and `/audio FILE` in `lego chat`, through the real pipeline and
 * OnnxLegoEngine on models/test-bundle (random weights: the words are nonsense, every stage is real):
 * the sound reaches the engine with the image as one request, the reply is written with its file; a
 * damaged sound and a sound alone asked "where" are one line each and a failure.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CliIo } from '../../src/cli/cli-io';
import { runCli } from '../../src/cli/program';
import { OnnxLegoEngine } from '../../src/engine/onnx/onnx-lego-engine';
import { RecordingEngine } from '../helpers/recording-engine';
import { greyPng } from '../helpers/bot-fixtures';

jest.setTimeout(90_000);

const ENV = { LEGO_ENGINE_GENERATION_TEMPERATURE: '0', LEGO_ENGINE_GENERATION_MAX_NEW_TOKENS: '8', LEGO_RENDER_ANNOTATE_WITHOUT_BOXES: 'true' };


/** stderr without the progress lines ("lego: Listening to the sound…"). */
function errors(err: string): string {
  return err.split('\n').filter((line) => line !== '' && !line.endsWith('…')).map((line) => `${line}\n`).join('');
}

function bufferIo(lines: string[] = []): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    stdin: Readable.from(lines.map((line) => `${line}\n`)),
    interactive: false,
    cwd: process.cwd(),
    out: () => out,
    err: () => err,
  };
}

describe('the CLI hears sounds', () => {
  let onnx: OnnxLegoEngine;
  let engine: RecordingEngine;
  let dir: string;
  let image: string;
  const sound = 'models/test-bundle/reference/audio-case-0.wav';

  beforeAll(async () => {
    onnx = await OnnxLegoEngine.load('models/test-bundle', { intraOpNumThreads: 1 });
    engine = new RecordingEngine(onnx);
    dir = mkdtempSync(join(tmpdir(), 'lego-cli-audio-'));
    image = join(dir, 'room.png');
    writeFileSync(image, await greyPng(96, 64));
  });
  afterAll(async () => {
    await onnx.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ask --image --audio: one request with the image and its sound, the answer and its picture written', async () => {
    const io = bufferIo();
    const out = join(dir, 'ask');
    const code = await runCli(['ask', '--image', image, '--audio', sound, '--json', '--out', out, 'Where does this sound come from?'], io, { env: ENV, engine });
    expect(errors(io.err())).toBe('');
    expect(code).toBe(0);
    const request = engine.requests.at(-1)!;
    expect(request.media?.kind).toBe('image');
    expect(request.audio).toMatchObject({ kind: 'audio', source: 'sound', clips: onnx.media.audio!.clips });
    const json = JSON.parse(io.out()) as { answer: string; files: string[] };
    expect(json.files.length).toBeGreaterThan(0);
    expect(readFileSync(json.files[0]!).subarray(1, 4).toString()).toBe('PNG');
  });

  it('/audio in lego chat joins the image loaded before it', async () => {
    const io = bufferIo([`/image ${image}`, `/audio ${sound}`, 'Where does this sound come from?', '/quit']);
    const code = await runCli(['chat', '--out', join(dir, 'chat')], io, { env: ENV, engine });
    expect(code).toBe(0);
    expect(io.out()).toContain('Loaded room.png with the sound audio-case-0.wav: ask me about them.');
    const request = engine.requests.at(-1)!;
    expect(request.media?.kind).toBe('image');
    expect(request.audio?.source).toBe('sound');
  });

  it('a damaged sound is one line and a failure; a sound alone asked where gets the sentence asking for the picture', async () => {
    const broken = join(dir, 'broken.wav');
    writeFileSync(broken, Buffer.concat([readFileSync(sound).subarray(0, 12), Buffer.alloc(3000, 0x5a)]));
    const before = engine.requests.length;
    const cases: Array<[string[], RegExp]> = [
      [['--image', image, '--audio', broken, 'Where is it from?'], /^lego: Sorry, that sound file seems to be damaged and I could not open it\.\n$/],
      [['--video', 'assets/samples/shapes-clip.mp4', '--audio', sound, 'When?'], /^lego: --audio goes with --image/],
    ];
    for (const [args, line] of cases) {
      const io = bufferIo();
      const code = await runCli(['ask', ...args], io, { env: ENV, engine });
      expect([args, code]).not.toEqual([args, 0]);
      expect(errors(io.err())).toMatch(line);
    }
    const alone = bufferIo();
    await runCli(['ask', '--audio', sound, '--out', join(dir, 'alone'), 'Where does it come from?'], alone, { env: ENV, engine });
    expect(alone.out()).toContain('To show where a sound comes from I need the picture too: please send an image together with the sound.');
    expect(engine.requests.length).toBe(before);
  });
});
