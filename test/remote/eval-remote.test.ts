/**
 * `lego eval --engine remote`: the held-out split's questions go to an OpenAI-compatible server (here a
 * Gemini stand-in that boxes the red object in the image it received) and are scored like the bundle's.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import type { CliIo } from '../../src/cli/cli-io';
import { runCli } from '../../src/cli/program';
import { startStandIn } from '../helpers/grounding-stand-in';
import type { StandIn } from '../helpers/grounding-stand-in';

function bufferIo(cwd: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    stdin: Readable.from([]),
    interactive: false,
    cwd,
    out: () => out,
    err: () => err,
  };
}

let dir: string;
let stand: StandIn;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lego-eval-remote-'));
  stand = await startStandIn({ family: 'gemini', model: 'gemini-2.5-flash' });
  // 300×120, a red square over the right half's middle: x 150..300, y 30..90
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120"><rect x="150" y="30" width="150" height="60" fill="#ff0000"/></svg>';
  await sharp({ create: { width: 300, height: 120, channels: 3, background: { r: 40, g: 90, b: 160 } } })
    .composite([{ input: Buffer.from(svg) }])
    .png()
    .toFile(path.join(dir, 'img-0.png'));
  // truth in LEGO's frame (fractions of the centred padded 300×300 square): y 30..90 → (90 + 30)/300 .. (90 + 90)/300
  const row = {
    id: 'a',
    task: 'refer',
    media: { kind: 'image', file: 'img-0.png', width: 300, height: 120 },
    turns: [{ role: 'user', text: 'Where is the red rectangle?' }],
    truth: { box: [0.5, 0.4, 1, 0.6] },
    answer: 'It is at [0.500, 0.400, 1.000, 0.600].',
  };
  await writeFile(path.join(dir, 'eval.jsonl'), `${JSON.stringify(row)}\n`);
});

afterAll(async () => {
  await stand?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('scores the split against any OpenAI-compatible server, the profile from its model name', async () => {
  const io = bufferIo(dir);
  const code = await runCli(['--engine', 'remote', 'eval', '--split', dir, '--out', path.join(dir, 'out')], io, {
    env: { LEGO_REMOTE_ENDPOINTS: stand.url, LEGO_REMOTE_HEALTH_CHECK_INTERVAL_MS: '0' },
  });
  expect(io.err()).not.toMatch(/error/i);
  expect(code).toBe(0);
  expect(io.out()).toContain('remote:gemini-2.5-flash');
  expect(stand.received[0]).toMatchObject({ kind: 'image', width: 300, height: 120 });
  expect(io.out()).toMatch(/100\.0/);
});
