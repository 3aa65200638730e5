/**
 * @jest-environment ./test/helpers/onnx-jest-environment.ts
 *
 * The web chat end to end: Debian's headless chromium (playwright-core) against the WebAdapter on
 * 127.0.0.1 with the real bot pipeline (media, conversation, numbering, rendering). The FakeEngine
 * gives deterministic boxes and spans; one test runs the real OnnxLegoEngine on models/test-bundle.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { WebAdapter } from '../../adapters/web';
import { createBot } from '../../src/bot';
import type { Bot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import type { LegoConfigInput } from '../../src/config';
import { createConversationRuntime } from '../../src/conversation';
import type { ConversationRuntime } from '../../src/conversation';
import type { GroundingEngine } from '../../src/engine';
import { LegoError } from '../../src/errors';
import { launchChromium } from '../helpers/chromium';
import type { LaunchedChromium } from '../helpers/chromium';
import { FakeEngine } from '../helpers/fake-engine';

const LEGO_TINY = 'models/lego-tiny';

// 640×400 image: S = 640, 120 px of padding above and below in the model's frame.
// red circle (60,60)-(220,220) → [0.094, 0.281, 0.344, 0.531]; blue square (360,180)-(560,340) → [0.563, 0.469, 0.875, 0.719]
const SHAPES_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400">
  <rect width="640" height="400" fill="#ebe8dc"/>
  <circle cx="140" cy="140" r="80" fill="#dc2828"/>
  <rect x="360" y="180" width="200" height="160" fill="#2850c8"/>
  <polygon points="300,40 360,150 240,150" fill="#28a03c"/>
</svg>`;

interface Server {
  web: WebAdapter;
  bot: Bot;
  runtime: ConversationRuntime;
  close(): Promise<void>;
}

async function startServer(engine: GroundingEngine, web: ConstructorParameters<typeof WebAdapter>[1] = {}, overrides: LegoConfigInput = {}): Promise<Server> {
  const config = loadConfig({ env: {}, overrides }).config;
  const runtime = await createConversationRuntime(config.conversation);
  const bot = createBot({ config, engine, runtime });
  const adapter = new WebAdapter({ bot }, { host: '127.0.0.1', port: 0, ...web });
  await adapter.start();
  return {
    web: adapter,
    bot,
    runtime,
    close: async () => {
      await adapter.stop();
      await bot.close();
      await runtime.close();
      await engine.dispose();
    },
  };
}

async function ask(page: Page, text: string): Promise<void> {
  const before = await page.locator('.msg.bot').count();
  await page.fill('#question', text);
  await page.keyboard.press('Enter');
  await page.locator('.msg.bot').nth(before).waitFor();
  await page.waitForFunction((n) => {
    const bubbles = document.querySelectorAll('.msg.bot .bubble');
    const bubble = bubbles[n];
    return bubble !== undefined && !bubble.hasAttribute('aria-busy') && bubble.querySelector('.streaming') === null;
  }, before);
}

describe('web chat in headless chromium', () => {
  let chromium: LaunchedChromium;
  let dir: string;
  let imagePath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lego-web-e2e-'));
    imagePath = join(dir, 'shapes.png');
    writeFileSync(imagePath, await sharp(Buffer.from(SHAPES_SVG)).png().toBuffer());
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('upload an image, ask, see the streamed answer with its boxes over the image, follow up on box 2, reset', async () => {
    const engine = new FakeEngine({
      delayMs: 15,
      replies: [
        'The red circle [0.094, 0.281, 0.344, 0.531] is left of the blue square [0.563, 0.469, 0.875, 0.719].',
        'Box 2 is blue.',
      ],
    });
    const server = await startServer(engine);
    const page = await chromium.context.newPage();
    try {
      await page.goto(server.web.address);
      await expect(page.title()).resolves.toMatch(/LEGO bot/);
      await page.setInputFiles('#file-input', imagePath);
      await page.locator('#attachment').waitFor();
      await expect(page.locator('#attachment-name').textContent()).resolves.toContain('shapes.png');
      await page.screenshot({ path: '/tmp/lego-web-chat-welcome.png' });

      // the answer streams in: a partial is on screen before the final reply
      await page.fill('#question', 'Where are the circle and the square?');
      await page.keyboard.press('Enter');
      await page.locator('.msg.bot .text.streaming').first().waitFor();
      await page.waitForFunction(() => (document.querySelector('.msg.bot .text.streaming')?.textContent ?? '').length > 0);
      await page.locator('.msg.bot .figure .box').nth(1).waitFor();

      const bot = page.locator('.msg.bot').first();
      await expect(bot.locator('.text').first().innerText()).resolves.toBe('The red circle 1 is left of the blue square 2.');
      await expect(bot.locator('.legend .num').allTextContents()).resolves.toEqual(['1', '2']);
      await expect(bot.locator('.legend button').first().innerText()).resolves.toContain('red circle');
      await expect(bot.locator('.overlay .box .tag').allTextContents()).resolves.toEqual(['1', '2']);
      await expect(bot.locator('.files a').first().innerText()).resolves.toContain('Annotated PNG');

      // boxes sit where the model said, scaled to the displayed image
      const img = await bot.locator('.stage img').boundingBox();
      const box2 = await bot.locator('.box[data-ref="2"]').boundingBox();
      expect(img).not.toBeNull();
      expect(box2).not.toBeNull();
      const scale = img!.width / 640;
      expect(box2!.x - img!.x).toBeCloseTo(360 * scale, -1);
      expect(box2!.y - img!.y).toBeCloseTo(180 * scale, -1);
      expect(box2!.width).toBeCloseTo(200 * scale, -1);

      // hovering legend 2 highlights box 2 and dims box 1; hovering box 1 highlights its legend entry
      await bot.locator('.legend button[data-ref="2"]').hover();
      await expect(bot.locator('.box[data-ref="2"]').getAttribute('class')).resolves.toContain('is-active');
      await expect(bot.locator('.box[data-ref="1"]').getAttribute('class')).resolves.not.toContain('is-active');
      await expect(bot.locator('.figure').getAttribute('class')).resolves.toContain('has-active');
      await bot.locator('.box[data-ref="1"]').hover();
      await expect(bot.locator('.legend button[data-ref="1"]').getAttribute('class')).resolves.toContain('is-active');
      // keyboard focus does the same
      await bot.locator('.legend button[data-ref="2"]').focus();
      await expect(bot.locator('.box[data-ref="2"]').getAttribute('class')).resolves.toContain('is-active');

      // the annotated PNG is served
      const href = await bot.locator('.files a').first().getAttribute('href');
      const png = await page.request.get(new URL(href!, server.web.address).toString());
      expect(png.headers()['content-type']).toBe('image/png');

      await page.mouse.move(5, 5);
      await page.screenshot({ path: '/tmp/lego-web-chat.png', fullPage: true });

      // follow-up about box 2 in the same conversation: the model gets box 2 back in its own frame
      await ask(page, 'What colour is box 2?');
      await expect(page.locator('.msg.bot .text').nth(1).innerText()).resolves.toBe('Box 2 is blue.');
      const followUp = engine.calls[1]!.request;
      expect(followUp.turns.at(-1)!.text).toContain('[0.563, 0.469, 0.875, 0.719]');
      expect(followUp.media?.kind).toBe('image');

      // regions lists what the conversation remembers
      await page.click('#regions-button');
      await page.locator('.msg.bot').nth(2).waitFor();
      await page.waitForFunction(() => !document.querySelectorAll('.msg.bot .bubble')[2]?.hasAttribute('aria-busy'));
      await expect(page.locator('.msg.bot .text').nth(2).innerText()).resolves.toMatch(/1.*2/s);
      await page.screenshot({ path: '/tmp/lego-web-chat-followup.png', fullPage: true });

      // a reload keeps this tab's conversation on screen (the annotated PNG stands in for the overlay)
      await page.reload();
      await expect(page.locator('.msg.bot').count()).resolves.toBe(3);
      await page.locator('.msg.bot img.file-image').first().waitFor();
      await expect(page.locator('.msg.bot .legend .num').allTextContents()).resolves.toEqual(['1', '2']);
      await page.locator('.msg.bot').first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: '/tmp/lego-web-chat-reload.png' });

      // reset clears the page and the conversation
      await page.click('#reset-button');
      await page.locator('.msg.system').waitFor();
      await expect(page.locator('.msg.bot').count()).resolves.toBe(0);
      await ask(page, 'what is in box 2?');
      await expect(page.locator('.msg.bot .text').first().innerText()).resolves.toMatch(/image|video|box/i);
      expect(engine.calls).toHaveLength(2);
    } finally {
      await page.close();
      await server.close();
    }
  }, 90_000);

  test('a video with its timeline: clicking a span seeks the video to its start; a zoom into a span draws its answer on the whole timeline', async () => {
    const videoPath = join(dir, 'clip.webm');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=4', '-c:v', 'libvpx', '-b:v', '200k', '-y', videoPath]);
    const engine = new FakeEngine({ replies: ['The ball rolls {0.25, 0.50} and stops {0.75, 1.00}.', 'It bounces {0.50, 1.00}.'] });
    const server = await startServer(engine);
    const page = await chromium.context.newPage();
    try {
      await page.goto(server.web.address);
      await page.setInputFiles('#file-input', videoPath);
      await ask(page, 'When does the ball move?');
      const bot = page.locator('.msg.bot').first();
      await bot.locator('.track .span').nth(1).waitFor();
      await expect(bot.locator('.track .span').allTextContents()).resolves.toEqual(['1', '2']);
      await page.waitForFunction(() => (document.querySelector('.msg.bot video') as HTMLVideoElement | null)?.readyState! >= 1);
      await bot.locator('.track .span[data-ref="2"]').click();
      await page.waitForFunction(() => {
        const video = document.querySelector('.msg.bot video') as HTMLVideoElement;
        return Math.abs(video.currentTime - 3) < 0.3;
      });
      const left = await bot.locator('.track .span[data-ref="1"]').boundingBox();
      const track = await bot.locator('.track').boundingBox();
      expect((left!.x - track!.x) / track!.width).toBeCloseTo(0.25, 1);
      await page.screenshot({ path: '/tmp/lego-web-chat-video.png', fullPage: true });

      // a zoom in time: span 1 (1–2 s) looked at again as 0.75–2.25 s; the answer's "{0.50, 1.00}" of that
      // stretch is 1.5–2.25 s, drawn on the whole video's timeline
      await ask(page, 'zoom into span 1');
      const zoom = page.locator('.msg.bot').nth(1);
      await expect(zoom.locator('.notice').first().innerText()).resolves.toBe('I looked again at 0.8–2.3 s of the video.');
      const span = zoom.locator('.track .span[data-ref="3"]');
      await span.waitFor();
      const placed = await span.boundingBox();
      const whole = await zoom.locator('.track').boundingBox();
      expect((placed!.x - whole!.x) / whole!.width).toBeCloseTo(1.5 / 4, 1);
      expect((placed!.x + placed!.width - whole!.x) / whole!.width).toBeCloseTo(2.25 / 4, 1);
      expect(engine.calls[1]!.request.media?.kind === 'video' ? engine.calls[1]!.request.media.durationSec : 0).toBeCloseTo(1.5, 1);
    } finally {
      await page.close();
      await server.close();
    }
  }, 90_000);

  test('wrong file types and files over the limit get a polite message and are not sent', async () => {
    const engine = new FakeEngine();
    const server = await startServer(engine, { maxImageBytes: 1000 });
    const page = await chromium.context.newPage();
    try {
      await page.goto(server.web.address);
      const textFile = join(dir, 'notes.txt');
      writeFileSync(textFile, 'not an image');
      await page.setInputFiles('#file-input', textFile);
      await expect(page.locator('#composer-error').innerText()).resolves.toMatch(/only read images, videos and sounds/);
      await page.setInputFiles('#file-input', imagePath);
      await expect(page.locator('#composer-error').innerText()).resolves.toMatch(/too large.*limit is/);
      await expect(page.locator('#attachment').isHidden()).resolves.toBe(true);
      await page.screenshot({ path: '/tmp/lego-web-chat-error.png' });
      expect(engine.calls).toHaveLength(0);
    } finally {
      await page.close();
      await server.close();
    }
  }, 60_000);

  test('an upload the server refuses on attach is said at once, before Send', async () => {
    const engine = new FakeEngine();
    const server = await startServer(engine, { maxStoredUploadBytes: 100 });
    const page = await chromium.context.newPage();
    try {
      await page.goto(server.web.address);
      await page.setInputFiles('#file-input', imagePath);
      await page.locator('#composer-error').waitFor();
      await expect(page.locator('#composer-error').innerText()).resolves.toMatch(/too large.*limit is 100 bytes/);
      expect(engine.calls).toHaveLength(0);
    } finally {
      await page.close();
      await server.close();
    }
  }, 60_000);

  test('Stop cuts a long answer; an engine failure shows a polite error and the chat goes on', async () => {
    const engine = new FakeEngine({
      replies: [
        { text: 'This answer is long and slow and will be stopped before it is done.', delayMs: 150, chunkSize: 2 },
        { text: 'Half', error: new LegoError('engine-failed', 'decoder exploded'), errorAfterChars: 4 },
        'All good again.',
      ],
    });
    const server = await startServer(engine);
    const page = await chromium.context.newPage();
    try {
      await page.goto(server.web.address);
      await page.setInputFiles('#file-input', imagePath);
      await page.fill('#question', 'Tell me everything.');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => (document.querySelector('.msg.bot .text.streaming')?.textContent ?? '').length > 0);
      await page.click('#stop-button');
      await page.locator('.msg.bot .notice').waitFor();
      await expect(page.locator('.msg.bot .notice').innerText()).resolves.toBe('Stopped.');
      await expect(page.locator('#send-button').isVisible()).resolves.toBe(true);
      expect(engine.calls[0]!.signal?.aborted).toBe(true);
      // nothing of a stopped turn is kept, so its image is attached again for the next question
      await expect(page.locator('#attachment-name').innerText()).resolves.toContain('shapes.png');

      await ask(page, 'And now?');
      const failed = page.locator('.msg.bot .bubble').nth(1);
      await expect(failed.getAttribute('class')).resolves.toContain('error');
      await expect(failed.getAttribute('role')).resolves.toBe('alert');
      await expect(failed.innerText()).resolves.toMatch(/^Sorry, something went wrong while answering/);
      await expect(failed.innerText()).resolves.not.toContain('decoder exploded');
      await expect(page.locator('#attachment-name').innerText()).resolves.toContain('shapes.png');

      await ask(page, 'Once more?');
      await expect(page.locator('.msg.bot .text').nth(2).innerText()).resolves.toBe('All good again.');
      await page.screenshot({ path: '/tmp/lego-web-chat-stop-error.png' });
    } finally {
      await page.close();
      await server.close();
    }
  }, 60_000);

  test('a file is uploaded when it is attached, so Send waits for the answer only; a replaced file\'s upload is dropped', async () => {
    const engine = new FakeEngine({ replies: ['The red circle [0.094, 0.281, 0.344, 0.531].'] });
    const server = await startServer(engine);
    const page = await chromium.context.newPage();
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(new URL(request.url()).pathname);
    });
    const prepared: string[] = [];
    const prepareAhead = server.bot.prepareAhead.bind(server.bot);
    server.bot.prepareAhead = (attachment) => {
      prepared.push(attachment.name);
      prepareAhead(attachment);
    };
    try {
      await page.goto(server.web.address);
      // the first file's upload is under way when a second replaces it: only the second is sent on
      const uploaded = page.waitForResponse((response) => response.url().includes('/api/uploads') && response.status() === 201);
      await page.setInputFiles('#file-input', imagePath);
      const second = join(dir, 'second.png');
      writeFileSync(second, await sharp(Buffer.from(SHAPES_SVG)).resize(320, 240).png().toBuffer());
      await page.setInputFiles('#file-input', second);
      await uploaded;
      await page.waitForFunction(() => !(document.querySelector('#attachment-name')?.textContent ?? '').includes('uploading'));
      await expect(page.locator('#attachment-name').innerText()).resolves.toContain('second.png');
      // uploaded (and handed to the bot to prepare) before any question was sent
      expect(posts.filter((path) => path === '/api/chat')).toEqual([]);
      expect(prepared).toContain('second.png');
      const uploadsBeforeSend = posts.filter((path) => path === '/api/uploads').length;

      await ask(page, 'Where is the circle?');
      await expect(page.locator('.msg.bot .text').first().innerText()).resolves.toBe('The red circle 1.');
      // Send posted the question only: the upload made on attach was used
      expect(posts.filter((path) => path === '/api/uploads')).toHaveLength(uploadsBeforeSend);
      expect(posts.filter((path) => path === '/api/chat')).toHaveLength(1);
      await expect(page.locator('.msg.user img').first().getAttribute('src')).resolves.toMatch(/^blob:/);

      // a file uploaded on attach and then removed is let go of on the server
      const third = page.waitForResponse((response) => response.url().includes('/api/uploads') && response.status() === 201);
      await page.setInputFiles('#file-input', imagePath);
      await third;
      const removed = page.waitForResponse((response) => response.request().method() === 'DELETE');
      await page.click('#attachment-remove');
      const deletion = await removed;
      // 204: the server had that upload, for this conversation, and dropped it
      expect(deletion.status()).toBe(204);
      expect(new URL(deletion.url()).pathname).toMatch(/^\/api\/uploads\/[0-9a-f-]{36}$/);
    } finally {
      await page.close();
      await server.close();
    }
  }, 60_000);

  test('drag and drop attaches a file; the attach control is reachable by keyboard', async () => {
    const server = await startServer(new FakeEngine());
    const page = await chromium.context.newPage();
    try {
      await page.goto(server.web.address);
      const png = (await sharp(Buffer.from(SHAPES_SVG)).png().toBuffer()).toString('base64');
      const dataTransfer = await page.evaluateHandle((b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
        return dt;
      }, png);
      await page.dispatchEvent('body', 'dragenter', { dataTransfer });
      await expect(page.locator('#drop-overlay').isVisible()).resolves.toBe(true);
      await page.dispatchEvent('body', 'drop', { dataTransfer });
      await expect(page.locator('#drop-overlay').isHidden()).resolves.toBe(true);
      await expect(page.locator('#attachment-name').innerText()).resolves.toContain('dropped.png');

      // Tab order from the top: skip link, Regions, Export, Help, Reset, the welcome's samples, remove-attachment, the file input (Attach), the question
      const focused: string[] = [];
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      for (let i = 0; i < 20; i += 1) {
        await page.keyboard.press('Tab');
        focused.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.className || ''));
      }
      expect(focused).toEqual(expect.arrayContaining(['regions-button', 'export-button', 'help-button', 'reset-button', 'file-input', 'question']));
      const samples = focused.slice(focused.indexOf('reset-button') + 1, focused.indexOf('attachment-remove'));
      expect(samples.length).toBeGreaterThan(0);
      expect(samples.every((name) => name === 'sample')).toBe(true);
      const order = focused.slice(focused.indexOf('skip-link')).filter((name) => name !== 'sample');
      expect(order.slice(0, 8)).toEqual(['skip-link', 'regions-button', 'export-button', 'help-button', 'reset-button', 'attachment-remove', 'file-input', 'question']);
      const label = await page.evaluate(() => (document.getElementById('question') as HTMLTextAreaElement).labels?.[0]?.textContent);
      expect(label).toBe('Your question');
    } finally {
      await page.close();
      await server.close();
    }
  }, 60_000);

  test('lego-tiny (greedy): the page draws the box exactly where the model put it', async () => {
    // Where the box lands on the picture is the model's business (its accuracy is measured by `lego eval`,
    // see models/lego-tiny/MODEL.md); the page's business is to draw the model's box on the right pixels.
    const { OnnxLegoEngine } = await import('../../src/engine/onnx');
    const { prepareImage } = await import('../../src/media/prepare-image');
    const { collectAnswer } = await import('../../src/engine/collect-answer');
    const { readFileSync } = await import('node:fs');
    const engine = await OnnxLegoEngine.load(LEGO_TINY, { intraOpNumThreads: 1 });
    const question = 'Where is the red circle?';
    const direct = await collectAnswer(
      engine.generate({
        turns: [{ role: 'user', text: question }],
        media: await prepareImage(readFileSync(imagePath), engine.media.image!),
        options: { temperature: 0 },
      }),
    );
    const expected = direct.boxes[0]?.pixels;
    expect(expected).toBeDefined();
    const server = await startServer(engine, {}, { engine: { generation: { temperature: 0 } } });
    const page = await chromium.context.newPage();
    try {
      await page.goto(server.web.address);
      await page.setInputFiles('#file-input', imagePath);
      await ask(page, question);
      const bot = page.locator('.msg.bot').first();
      await bot.locator('.overlay .box').first().waitFor();
      const img = (await bot.locator('.stage img').boundingBox())!;
      const box = (await bot.locator('.overlay .box').first().boundingBox())!;
      const scale = img.width / 640;
      const drawn = { x1: (box.x - img.x) / scale, y1: (box.y - img.y) / scale, x2: (box.x - img.x + box.width) / scale, y2: (box.y - img.y + box.height) / scale };
      for (const k of ['x1', 'y1', 'x2', 'y2'] as const) expect(Math.abs(drawn[k] - expected![k])).toBeLessThan(4);
      await page.screenshot({ path: '/tmp/lego-web-chat-lego-tiny.png' });
    } finally {
      await page.close();
      await server.close();
    }
  }, 90_000);

  test('the real OnnxLegoEngine on models/test-bundle answers through the page', async () => {
    const { OnnxLegoEngine } = await import('../../src/engine/onnx');
    const engine = await OnnxLegoEngine.load('models/test-bundle', { intraOpNumThreads: 1 });
    const server = await startServer(engine);
    const page = await chromium.context.newPage();
    try {
      await page.goto(server.web.address);
      await page.setInputFiles('#file-input', imagePath);
      await ask(page, 'Where is the red circle?');
      const bubble = page.locator('.msg.bot .bubble').first();
      await expect(bubble.getAttribute('class')).resolves.not.toContain('error');
      await expect(bubble.locator('.text').first().innerText()).resolves.not.toBe('');
      await expect(page.locator('.msg.user .user-media').count()).resolves.toBe(1);
    } finally {
      await page.close();
      await server.close();
    }
  }, 90_000);
});
