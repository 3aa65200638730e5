/**
 * @jest-environment ./test/helpers/onnx-jest-environment.ts
 *
 * `lego ask --region x1,y1,x2,y2` on lego-tiny: the rectangle (pixels of the image) reaches the model as
 * a LEGO box and the answer names the shape inside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/program';
import type { CliIo } from '../../src/cli/cli-io';

const ENV = { LEGO_ENGINE_BUNDLE: 'models/lego-tiny', LEGO_ENGINE_GENERATION_TEMPERATURE: '0', LEGO_ENGINE_THREADS: '1' };
const SAMPLE = 'assets/samples/three-shapes.png';

function bufferIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    stdin: Readable.from([]),
    interactive: false,
    cwd: process.cwd(),
    out: () => out,
    err: () => err,
  };
}

describe('lego ask --region', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lego-cli-region-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each([
    ['143,173,279,304', 'pink heart'],
    ['293,184,441,329', 'pink star'],
    ['215,52,335,170', 'white star'],
  ])('--region %s names the %s', async (region, shape) => {
    const io = bufferIo();
    const code = await runCli(['ask', '--image', SAMPLE, '--region', region, '--json', '--out', dir, 'What is in this region?'], io, { env: ENV });
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(io.out()) as { answer: string; boxes: { ref: number; x1: number; y1: number; x2: number; y2: number }[] };
    expect(json.answer).toContain(shape);
    const [x1, y1, x2, y2] = region.split(',').map(Number);
    expect(json.boxes[0]).toEqual({ ref: 1, x1, y1, x2, y2 });
  }, 60_000);

  test('a malformed --region, or one with a video, is one line and a failure', async () => {
    for (const args of [['--image', SAMPLE, '--region', '1,2,3'], ['--video', 'assets/samples/shapes-clip.mp4', '--region', '1,2,3,4']]) {
      const io = bufferIo();
      const code = await runCli(['ask', ...args, 'what?'], io, { env: ENV });
      expect(code).not.toBe(0);
      expect(io.err().trim().split('\n')).toHaveLength(1);
      expect(io.err()).toMatch(/--region/);
    }
  });
});
