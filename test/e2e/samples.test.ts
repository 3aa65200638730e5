/**
 * @jest-environment ./test/helpers/onnx-jest-environment.ts
 *
 * The sample media in assets/samples (models/lego-tiny/recipe/samples.py writes them with samples.json:
 * file, suggested question, the truth in LEGO's padded-square frame). What a newcomer is shown has to
 * work: lego-tiny answers every suggested question right through `lego ask --json` (the README's
 * example), and in the web chat one click on a sample of the welcome attaches it, asks, and gets the
 * box drawn over the shape (Debian's headless chromium).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { WebAdapter } from '../../adapters/web';
import { runCli } from '../../src/cli/program';
import type { CliIo } from '../../src/cli/cli-io';
import type { AskJson } from '../../src/cli/reply-output';
import { createBot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import { createConversationRuntime } from '../../src/conversation';
import { OnnxLegoEngine } from '../../src/engine/onnx';
import { launchChromium } from '../helpers/chromium';
import { iou, iou1d, samples, SAMPLES, toPixels } from '../helpers/sample-media';
import type { Box } from '../helpers/sample-media';
import type { LaunchedChromium } from '../helpers/chromium';

const ROOT = join(__dirname, '..', '..');
const LEGO_TINY = join(ROOT, 'models', 'lego-tiny');

function bufferIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    stdin: new PassThrough(),
    interactive: false,
    cwd: ROOT,
    out: () => out,
    err: () => err,
  };
}

let engine: OnnxLegoEngine;
let outDir: string;
beforeAll(async () => {
  engine = await OnnxLegoEngine.load(LEGO_TINY, { intraOpNumThreads: 1 });
  outDir = mkdtempSync(join(tmpdir(), 'lego-samples-'));
});
afterAll(async () => {
  await engine?.dispose();
  rmSync(outDir, { recursive: true, force: true });
});

describe('assets/samples', () => {
  it('lists a few small scenes and clips that exist, with a question and the truth for each', () => {
    expect(samples.filter((s) => s.kind === 'image').length).toBeGreaterThanOrEqual(2);
    expect(samples.filter((s) => s.kind === 'video').length).toBeGreaterThanOrEqual(1);
    let bytes = 0;
    for (const sample of samples) {
      bytes += readFileSync(join(SAMPLES, sample.file)).length;
      if (sample.sound !== undefined) bytes += readFileSync(join(SAMPLES, sample.sound)).length;
      expect(sample.question).toMatch(/\?$/);
      expect((sample.truth.boxes ?? []).length + (sample.truth.spans ?? []).length).toBeGreaterThan(0);
    }
    expect(bytes).toBeLessThan(1.5 * 1024 * 1024);
    // at least one image comes with a sound, and the sounds stay small
    const sounds = samples.filter((s) => s.sound !== undefined).map((s) => readFileSync(join(SAMPLES, s.sound!)));
    expect(sounds.length).toBeGreaterThanOrEqual(1);
    expect(sounds.reduce((n, b) => n + b.length, 0)).toBeLessThan(200 * 1024);
    for (const wav of sounds) expect(wav.subarray(8, 12).toString()).toBe('WAVE');
    // and a clip whose question is about its soundtrack
    expect(samples.filter((s) => s.kind === 'video' && s.soundtrack === true).length).toBeGreaterThanOrEqual(1);
  });

  it.each(samples.map((s) => [s.file, s] as const))('lego ask --json answers the question of %s right (greedy)', async (_file, sample) => {
    const io = bufferIo();
    const sound = sample.sound === undefined ? [] : ['--audio', join(SAMPLES, sample.sound)];
    const code = await runCli(
      ['ask', sample.kind === 'image' ? '--image' : '--video', join(SAMPLES, sample.file), ...sound, '--json', '--out', outDir, sample.question],
      io,
      { engine, env: { LEGO_ENGINE_GENERATION_TEMPERATURE: '0' } },
    );
    if ((sample.sound !== undefined || sample.soundtrack === true) && engine.media.audio === null) {
      // lego-tiny v1 has no audio encoder: it answers about the picture without the sound (v2 must answer right)
      expect(code).toBe(0);
      expect((JSON.parse(io.out()) as AskJson).answer.length).toBeGreaterThan(0);
      return;
    }
    if (code !== 0) throw new Error(`lego ask failed: ${io.err()}`);
    const answer = JSON.parse(io.out()) as AskJson;
    if (sample.kind === 'image') {
      const truth = (sample.truth.boxes ?? []).map((b) => toPixels(b, sample.width!, sample.height!));
      const given = answer.boxes.map((b) => [b.x1, b.y1, b.x2, b.y2] as Box);
      // every true box found (IoU ≥ 0.5), nothing else boxed
      expect(given).toHaveLength(truth.length);
      for (const t of truth) expect(Math.max(...given.map((g) => iou(g, t)))).toBeGreaterThanOrEqual(0.5);
      if (sample.truth.count !== undefined) expect(answer.answer).toMatch(new RegExp(`\\b${sample.truth.count}\\b`));
    } else {
      const truth = (sample.truth.spans ?? []).map(([s, e]) => [s * sample.duration!, e * sample.duration!] as [number, number]);
      const given = answer.spans.map((s) => [s.start, s.end] as [number, number]);
      expect(given).toHaveLength(truth.length);
      for (const t of truth) expect(Math.max(...given.map((g) => iou1d(g, t)))).toBeGreaterThanOrEqual(0.5);
    }
    for (const name of sample.truth.names ?? []) expect(answer.answer).toContain(name.split(' ').slice(0, 2).join(' '));
  }, 60_000);
});

describe('the web chat welcome in headless chromium', () => {
  let chromium: LaunchedChromium;
  beforeAll(async () => {
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
  });

  it('one click on a sample attaches it, asks its question and draws the box over the shape', async () => {
    const sample = samples.find((s) => s.file === 'red-star.png')!;
    const config = loadConfig({ env: {}, overrides: { engine: { generation: { temperature: 0 } } } }).config;
    const runtime = await createConversationRuntime(config.conversation);
    const bot = createBot({ config, engine, runtime });
    const web = new WebAdapter({ bot }, { host: '127.0.0.1', port: 0 });
    await web.start();
    const page = await chromium.context.newPage();
    try {
      await page.goto(web.address);
      // the welcome says what the embedded model knows, and offers every sample
      await expect(page.locator('#welcome .model-note').innerText()).resolves.toMatch(/synthetic world of coloured shapes.*not photos/s);
      await expect(page.locator('#sample-list .sample').count()).resolves.toBe(samples.length);
      await page.locator('#sample-list .sample video').first().evaluate((v: HTMLVideoElement) => v.readyState >= 1 || new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true })));
      await page.screenshot({ path: '/tmp/lego-web-chat-welcome.png' });
      await page.locator(`#sample-list .sample[data-sample="${sample.file}"]`).click();

      const user = page.locator('.msg.user').first();
      await user.waitFor();
      await expect(user.locator('.text').innerText()).resolves.toBe(sample.question);
      await expect(user.locator('img.user-media').count()).resolves.toBe(1);
      const reply = page.locator('.msg.bot').first();
      await reply.locator('.overlay .box').first().waitFor({ timeout: 30_000 });
      await expect(reply.locator('.text').first().innerText()).resolves.toMatch(/red star/);

      const img = (await reply.locator('.stage img').boundingBox())!;
      const box = (await reply.locator('.overlay .box').first().boundingBox())!;
      const scale = img.width / sample.width!;
      const drawn: Box = [(box.x - img.x) / scale, (box.y - img.y) / scale, (box.x - img.x + box.width) / scale, (box.y - img.y + box.height) / scale];
      expect(iou(drawn, toPixels(sample.truth.boxes![0]!, sample.width!, sample.height!))).toBeGreaterThanOrEqual(0.5);
      await page.screenshot({ path: '/tmp/lego-web-chat-sample.png' });
    } finally {
      await page.close();
      await web.stop();
      await bot.close();
      await runtime.close();
    }
  }, 90_000);
});
