/**
 * @jest-environment ./test/helpers/onnx-jest-environment.ts
 *
 * Regions marked by hand in the web chat (headless Debian chromium against the WebAdapter and the real
 * pipeline): a rectangle dragged on the image goes to lego-tiny as a LEGO box in the padded-square frame
 * and the answer names the shape inside it; the region keeps its number for later questions; a stretch
 * dragged on a video's timeline goes to the engine as a LEGO span.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { WebAdapter } from '../../adapters/web';
import { createBot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import { createConversationRuntime } from '../../src/conversation';
import type { GroundingEngine } from '../../src/engine';
import { OnnxLegoEngine } from '../../src/engine/onnx';
import { launchChromium } from '../helpers/chromium';
import type { LaunchedChromium } from '../helpers/chromium';
import { FakeEngine } from '../helpers/fake-engine';

const SAMPLE = 'assets/samples/three-shapes.png'; // 480×360; truth in assets/samples/samples.json
// pink heart: [0.298, 0.486, 0.581, 0.759] of the padded square (S = 480, 60 px of padding above) → pixels
const HEART = { x1: 143, y1: 173, x2: 279, y2: 304 };
const WHITE_STAR = { x1: 215, y1: 52, x2: 335, y2: 170 };

async function startServer(engine: GroundingEngine) {
  const config = loadConfig({ env: {}, overrides: { engine: { generation: { temperature: 0 } } } }).config;
  const runtime = await createConversationRuntime(config.conversation);
  const bot = createBot({ config, engine, runtime });
  const web = new WebAdapter({ bot }, { host: '127.0.0.1', port: 0 });
  await web.start();
  return {
    web,
    close: async () => {
      await web.stop();
      await bot.close();
      await runtime.close();
      await engine.dispose();
    },
  };
}

async function waitForReply(page: Page, index: number): Promise<Locator> {
  await page.locator('.msg.bot').nth(index).waitFor();
  await page.waitForFunction((n) => {
    const bubble = document.querySelectorAll('.msg.bot .bubble')[n];
    return bubble !== undefined && !bubble.hasAttribute('aria-busy') && bubble.querySelector('.streaming') === null;
  }, index, { timeout: 60_000 });
  return page.locator('.msg.bot').nth(index);
}

async function ask(page: Page, text: string): Promise<Locator> {
  const before = await page.locator('.msg.bot').count();
  await page.fill('#question', text);
  await page.keyboard.press('Enter');
  return waitForReply(page, before);
}

/** Drag with the mouse over `target` from one point to another, given in pixels of the image's natural size. */
async function dragOnImage(page: Page, img: Locator, naturalWidth: number, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  const shown = (await img.boundingBox())!;
  const scale = shown.width / naturalWidth;
  await page.mouse.move(shown.x + from.x * scale, shown.y + from.y * scale);
  await page.mouse.down();
  await page.mouse.move(shown.x + ((from.x + to.x) / 2) * scale, shown.y + ((from.y + to.y) / 2) * scale, { steps: 4 });
  await page.mouse.move(shown.x + to.x * scale, shown.y + to.y * scale, { steps: 4 });
  await page.mouse.up();
}

describe('regions marked by hand in the web chat', () => {
  let chromium: LaunchedChromium;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lego-web-regions-'));
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** lego-tiny behind the web chat, and a page with the three-shapes sample attached */
  async function sampleWithLegoTiny(): Promise<{ server: Awaited<ReturnType<typeof startServer>>; page: Page }> {
    const server = await startServer(await OnnxLegoEngine.load('models/lego-tiny', { intraOpNumThreads: 1 }));
    const page = await chromium.context.newPage();
    await page.goto(server.web.address);
    await page.setInputFiles('#file-input', SAMPLE);
    await page.locator('#attachment').waitFor();
    return { server, page };
  }

  test('lego-tiny: a rectangle dragged around a shape gets an answer naming that shape, and keeps its number', async () => {
    const { server, page } = await sampleWithLegoTiny();
    try {
      await ask(page, 'What shapes do you see?');

      // drag around the pink heart on the image in the user's own message
      const img = page.locator('.msg.user img.user-media').first();
      await page.waitForFunction(() => (document.querySelector('.msg.user img.user-media') as HTMLImageElement | null)?.naturalWidth === 480);
      await dragOnImage(page, img, 480, { x: HEART.x1, y: HEART.y1 }, { x: HEART.x2, y: HEART.y2 });
      await expect(page.locator('#region-chip').isVisible()).resolves.toBe(true);
      const chip = await page.locator('#region-chip-text').innerText();
      const [x1, y1, x2, y2] = (chip.match(/\d+/g) ?? []).map(Number);
      for (const [got, want] of [[x1, HEART.x1], [y1, HEART.y1], [x2, HEART.x2], [y2, HEART.y2]] as const) expect(Math.abs(got! - want)).toBeLessThanOrEqual(3);
      await expect(page.locator('#question').inputValue()).resolves.toBe('What is in this region?');
      await page.screenshot({ path: '/tmp/lego-web-chat-region-drawn.png', fullPage: true });

      const reply = await ask(page, 'What is in this region?');
      const text = await reply.locator('.text').first().innerText();
      expect(text).toMatch(/pink heart/);
      expect(text).not.toMatch(/\bstar\b/);
      // the region is numbered and drawn over the image; the notice says its number
      const notice = await reply.locator('.notice').allInnerTexts();
      const number = Number(/region you marked (\d+)/.exec(notice.join(' '))?.[1]);
      expect(number).toBeGreaterThan(0);
      await reply.locator(`.overlay .box[data-ref="${number}"]`).waitFor();
      await expect(page.locator('#region-chip').isVisible()).resolves.toBe(false);
      await page.screenshot({ path: '/tmp/lego-web-chat-region-answer.png', fullPage: true });

      // a later turn asks about it by number
      const again = await ask(page, `What is in box ${number}?`);
      await expect(again.locator('.text').first().innerText()).resolves.toMatch(/pink heart/);

      // another region, drawn on the figure of the region's reply this time, names another shape
      const figureImg = reply.locator('.stage img');
      await dragOnImage(page, figureImg, 480, { x: WHITE_STAR.x1, y: WHITE_STAR.y1 }, { x: WHITE_STAR.x2, y: WHITE_STAR.y2 });
      const star = await ask(page, 'What can you see in this region?');
      await expect(star.locator('.text').first().innerText()).resolves.toMatch(/white star/);
    } finally {
      await page.close();
      await server.close();
    }
  }, 180_000);

  test('lego-tiny: "the top one" is the white star; "zoom into the left one" shows a closer look at the heart and says which box it took', async () => {
    const { server, page } = await sampleWithLegoTiny();
    try {
      const first = await ask(page, 'What is in this picture?');
      await expect(first.locator('.overlay .box').count()).resolves.toBe(3);

      const top = await ask(page, 'what colour is the top one?');
      await expect(top.locator('.text').first().innerText()).resolves.toMatch(/white/);
      await expect(top.locator('.notice').first().innerText()).resolves.toMatch(/“the top one” as box \d+ \(white star\)/);

      const zoom = await ask(page, 'zoom into the left one');
      const notice = (await zoom.locator('.notice').allInnerTexts()).join(' ');
      expect(notice).toMatch(/I took “the left one” as box \d+ \(pink heart\)/);
      // the crop is shown, and it is the heart's part of the image: "(W×H px at X,Y)"
      const alt = (await zoom.locator('img.file-image').first().getAttribute('alt')) ?? '';
      const [w, h, x, y] = (/(\d+)×(\d+) px at (\d+),(\d+)/.exec(alt) ?? []).slice(1).map(Number);
      expect(x).toBeLessThanOrEqual(HEART.x1);
      expect(y).toBeLessThanOrEqual(HEART.y1);
      expect(x! + w!).toBeGreaterThanOrEqual(HEART.x2);
      expect(y! + h!).toBeGreaterThanOrEqual(HEART.y2);
      expect(x! + w!).toBeLessThan(480);
      await page.screenshot({ path: '/tmp/lego-web-chat-zoom-words.png', fullPage: true });

    } finally {
      await page.close();
      await server.close();
    }
  }, 180_000);

  test('a stretch dragged on the video timeline goes to the engine as a LEGO span and is numbered', async () => {
    const videoPath = join(dir, 'clip.webm');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=4', '-c:v', 'libvpx', '-b:v', '200k', '-y', videoPath]);
    const engine = new FakeEngine({ replies: ['A clock ticks.', 'The colours shift.', 'Still the colours.'] });
    const server = await startServer(engine);
    const page = await chromium.context.newPage();
    try {
      await page.goto(server.web.address);
      await page.setInputFiles('#file-input', videoPath);
      await page.locator('#attachment').waitFor();
      await ask(page, 'What happens?');
      await page.waitForFunction(() => (document.querySelector('.msg.user video') as HTMLVideoElement | null)?.duration === 4);
      const track = (await page.locator('.msg.user .draw-track').boundingBox())!;
      await page.mouse.move(track.x + track.width * 0.25, track.y + track.height / 2);
      await page.mouse.down();
      await page.mouse.move(track.x + track.width * 0.75, track.y + track.height / 2, { steps: 5 });
      await page.mouse.up();
      await expect(page.locator('#question').inputValue()).resolves.toBe('What happens in this span?');
      const reply = await ask(page, 'What happens in this span?');
      const prompt = engine.calls[1]!.request.turns.at(-1)!.text;
      const span = /the span \{(\d\.\d\d), (\d\.\d\d)\}/.exec(prompt);
      expect(span).not.toBeNull();
      expect(Number(span![1])).toBeCloseTo(0.25, 1);
      expect(Number(span![2])).toBeCloseTo(0.75, 1);
      await reply.locator('.track .span').first().waitFor();
      const notice = (await reply.locator('.notice').allInnerTexts()).join(' ');
      expect(notice).toMatch(/span you marked 1/);

      // "span 1" later is the same stretch
      await ask(page, 'What happens in span 1?');
      expect(engine.calls[2]!.request.turns.at(-1)!.text).toBe(`What happens in {${span![1]}, ${span![2]}}?`);
    } finally {
      await page.close();
      await server.close();
    }
  }, 90_000);
});
