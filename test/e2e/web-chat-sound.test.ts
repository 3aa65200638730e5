/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
/**
 * Sound in the web chat, end to end in Debian's headless chromium: the Attach button takes two files, an
 * image and a sound, both are uploaded and reach the pipeline (image first) as one message, the sound
 * plays in the user's bubble, the reply's picture comes back; a sample with a sound asks its question in
 * one click; a third file is refused with one sentence.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebAdapter } from '../../adapters/web';
import { createBot } from '../../src/bot/create-bot';
import { OnnxLegoEngine } from '../../src/engine/onnx/onnx-lego-engine';
import type { GenerateRequest } from '../../src/engine/types';
import { greyPng, testConfig } from '../helpers/bot-fixtures';
import { launchChromium } from '../helpers/chromium';
import type { LaunchedChromium } from '../helpers/chromium';
import { ScriptedBot } from '../helpers/scripted-bot';

jest.setTimeout(60_000);

const WAV = readFileSync('models/test-bundle/reference/audio-case-0.wav');

describe('web chat: an image with a sound', () => {
  let chromium: LaunchedChromium;
  let dir: string;
  let png: Buffer;
  let annotated: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lego-web-sound-'));
    png = await greyPng(120, 90);
    annotated = await greyPng(120, 90, 220);
    writeFileSync(join(dir, 'room.png'), png);
    writeFileSync(join(dir, 'ring.wav'), WAV);
    writeFileSync(join(dir, 'extra.png'), png);
    const samples = join(dir, 'samples');
    mkdirSync(samples);
    writeFileSync(join(samples, 'bell-scene.png'), png);
    writeFileSync(join(samples, 'bell.wav'), WAV);
    writeFileSync(
      join(samples, 'samples.json'),
      JSON.stringify({ samples: [{ file: 'bell-scene.png', kind: 'image', sound: 'bell.wav', question: 'Where does this sound come from?' }] }),
    );
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(bot: ScriptedBot): Promise<WebAdapter> {
    const web = new WebAdapter({ bot }, { host: '127.0.0.1', port: 0, samplesDir: join(dir, 'samples') });
    await web.start();
    return web;
  }

  function pictureReply(): ScriptedBot {
    return new ScriptedBot({
      replies: [
        { text: 'The bell [1] rings.', boxes: [{ ref: 1, pixels: { x1: 10, y1: 10, x2: 60, y2: 50 } }], files: [{ name: 'lego-boxes.png', contentType: 'image/png', data: annotated, kind: 'annotated-image' }] },
      ],
    });
  }

  test('attach an image and a sound together, ask, and get the answer with its picture', async () => {
    const bot = pictureReply();
    const web = await start(bot);
    const page = await chromium.context.newPage();
    try {
      await page.goto(web.address);
      await page.setInputFiles('#file-input', [join(dir, 'ring.wav'), join(dir, 'room.png')]);
      await page.locator('#attachment').waitFor();
      await page.locator('#sound-attachment').waitFor();
      await expect(page.locator('#sound-name').textContent()).resolves.toContain('ring.wav');
      await page.fill('#question', 'Where does this sound come from?');
      await page.keyboard.press('Enter');
      await page.locator('.msg.bot .files a').first().waitFor();
      expect(bot.calls).toHaveLength(1);
      expect(bot.calls[0]!.message.attachments.map((a) => a.name)).toEqual(['room.png', 'ring.wav']);
      expect(bot.calls[0]!.message.attachments.map((a) => a.contentType)).toEqual(['image/png', 'audio/wav']);
      expect(bot.calls[0]!.bytes).toEqual([png, WAV]);
      await page.locator('.msg.user audio.user-sound').waitFor();
      await expect(page.locator('.msg.bot .text').first().innerText()).resolves.toContain('The bell 1 rings.');
      const href = await page.locator('.msg.bot .files a').first().getAttribute('href');
      const file = await page.evaluate(async (url) => Array.from(new Uint8Array(await (await fetch(url!)).arrayBuffer())), href);
      expect(Buffer.from(file)).toEqual(annotated);
      // both chips are cleared after sending
      await expect(page.locator('#sound-attachment').isHidden()).resolves.toBe(true);
      await page.screenshot({ path: '/tmp/lego-web-chat-sound.png' });
    } finally {
      await page.close();
      await web.stop();
    }
  });

  test('a sample with a sound asks its question in one click', async () => {
    const bot = pictureReply();
    const web = await start(bot);
    const page = await chromium.context.newPage();
    try {
      await page.goto(web.address);
      const button = page.locator('button.sample[data-sound="bell.wav"]');
      await button.waitFor();
      await expect(button.locator('.sample-kind').textContent()).resolves.toBe('image + sound');
      await button.click();
      await page.locator('.msg.bot .files a').first().waitFor();
      expect(bot.calls[0]!.message.text).toBe('Where does this sound come from?');
      expect(bot.calls[0]!.message.attachments.map((a) => a.name)).toEqual(['bell-scene.png', 'bell.wav']);
      expect(bot.calls[0]!.bytes[1]).toEqual(WAV);
    } finally {
      await page.close();
      await web.stop();
    }
  });

  test('three files at once get one sentence and nothing is sent', async () => {
    const bot = new ScriptedBot();
    const web = await start(bot);
    const page = await chromium.context.newPage();
    try {
      await page.goto(web.address);
      await page.setInputFiles('#file-input', [join(dir, 'ring.wav'), join(dir, 'room.png'), join(dir, 'extra.png')]);
      await page.locator('#composer-error').waitFor();
      await expect(page.locator('#composer-error').innerText()).resolves.toBe('Please attach at most two files: an image (or a video) and a sound.');
      expect(bot.calls).toHaveLength(0);
    } finally {
      await page.close();
      await web.stop();
    }
  });
});

describe('web chat: bad sounds through the real pipeline (test bundle with an audio encoder)', () => {
  let chromium: LaunchedChromium;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lego-web-bad-sound-'));
    writeFileSync(join(dir, 'broken.wav'), Buffer.concat([WAV.subarray(0, 12), Buffer.alloc(3000, 0x5a)]));
    writeFileSync(join(dir, 'ring.wav'), WAV);
    writeFileSync(join(dir, 'room.png'), await greyPng(96, 64));
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a damaged sound and a sound alone asked "where" each get their sentence; an image with a sound reaches the engine', async () => {
    const onnx = await OnnxLegoEngine.load('models/test-bundle', { intraOpNumThreads: 1 });
    const requests: GenerateRequest[] = [];
    const generate = onnx.generate.bind(onnx);
    jest.spyOn(onnx, 'generate').mockImplementation((request, options) => {
      requests.push(request);
      return generate(request, options);
    });
    const bot = createBot({ config: testConfig({ engine: { generation: { maxNewTokens: 8, temperature: 0 } } }), engine: onnx });
    const web = new WebAdapter({ bot }, { host: '127.0.0.1', port: 0 });
    await web.start();
    const page = await chromium.context.newPage();
    const ask = async (files: string[], text: string): Promise<string> => {
      const before = await page.locator('.msg.bot').count();
      await page.setInputFiles('#file-input', files.map((f) => join(dir, f)));
      await page.fill('#question', text);
      await page.keyboard.press('Enter');
      const bubble = page.locator('.msg.bot .bubble').nth(before);
      await page.waitForFunction((n) => {
        const b = document.querySelectorAll('.msg.bot .bubble')[n];
        return b !== undefined && !b.hasAttribute('aria-busy') && b.querySelector('.streaming') === null;
      }, before);
      return bubble.innerText();
    };
    try {
      await page.goto(web.address);
      await expect(ask(['broken.wav'], 'What makes this sound?')).resolves.toContain('Sorry, that sound file seems to be damaged and I could not open it.');
      await expect(ask(['ring.wav'], 'Where does it come from?')).resolves.toContain(
        'To show where a sound comes from I need the picture too: please send an image together with the sound.',
      );
      expect(requests).toHaveLength(0);
      await ask(['room.png', 'ring.wav'], 'Where does this sound come from?');
      expect(requests).toHaveLength(1);
      expect(requests[0]!.media?.kind).toBe('image');
      expect(requests[0]!.audio).toMatchObject({ kind: 'audio', source: 'sound', clips: onnx.media.audio!.clips });
    } finally {
      await page.close();
      await web.stop();
      await bot.close();
      await onnx.dispose();
    }
  });
});
