/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
/**
 * Sound on every surface with the shipped model (lego-tiny v2, which hears): the sample scene with the
 * sound of one of its shapes (assets/samples/bell-scene.png + bell.wav) and the sample clip with its
 * soundtrack (heard-clip.mp4), posted the way each platform's users post them — Discord (real discord.js
 * against the local fake Discord: one message with both files, and a voice message replying to the
 * picture), Slack (the real bolt App against the local fake Slack: two files in one message), the web chat
 * (Debian's headless chromium, one click on each sample) and `lego serve` (the official openai client,
 * an image_url and an input_audio part). Each gets the source's box drawn back — the box the model gave
 * within IoU 0.5 of the truth, and the reply's picture marked there in reference [1]'s colour — and the
 * clip gets the span in which the shape is heard (R@1 at IoU 0.5) with its timeline picture.
 * (`lego ask --audio` and `lego ask --video` with a soundtrack: test/e2e/samples.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import sharp from 'sharp';
import { WebAdapter } from '../../adapters/web';
import { createBot } from '../../src/bot/create-bot';
import { createConversationRuntime } from '../../src/conversation';
import type { ConversationRuntime } from '../../src/conversation';
import { OnnxLegoEngine } from '../../src/engine/onnx/onnx-lego-engine';
import type { Part } from '../../src/engine/types';
import { referenceColour } from '../../src/render/palette';
import { appConfig } from '../helpers/bot-fixtures';
import { launchChromium } from '../helpers/chromium';
import type { LaunchedChromium } from '../helpers/chromium';
import { startDiscordHarness } from '../helpers/discord-fake/discord-harness';
import { startLegoServe } from '../helpers/lego-serve-harness';
import type { DiscordHarness } from '../helpers/discord-fake/discord-harness';
import { RecordingEngine } from '../helpers/recording-engine';
import { iou, iou1d, samples, SAMPLES, toPixels } from '../helpers/sample-media';
import type { Box } from '../helpers/sample-media';
import { startSlackHarness } from '../helpers/slack-fake/slack-harness';
import type { SlackHarness } from '../helpers/slack-fake/slack-harness';

jest.setTimeout(90_000);

const ROOT = join(__dirname, '..', '..');
/** the shipped model; another bundle of it (a checkpoint being trained) to try these tests on */
const TINY = process.env.LEGO_TEST_TINY_BUNDLE ?? join(ROOT, 'models', 'lego-tiny');
const scene = samples.find((s) => s.sound !== undefined)!;
const clip = samples.find((s) => s.soundtrack === true)!;
const PNG = readFileSync(join(SAMPLES, scene.file));
const WAV = readFileSync(join(SAMPLES, scene.sound!));
const MP4 = readFileSync(join(SAMPLES, clip.file));

/** The truth box on the scene, in pixels. */
function truthPixels(): Box {
  return toPixels(scene.truth.boxes![0]!, scene.width!, scene.height!);
}

/** The model's box for the last answer: [1], on the scene's pixels. */
function answeredBox(parts: readonly Part[]): Box {
  const box = parts.find((p): p is Extract<Part, { type: 'box' }> => p.type === 'box');
  if (box?.pixels === undefined) throw new Error(`no box in the answer: ${JSON.stringify(parts.filter((p) => p.type === 'finish'))}`);
  return [box.pixels.x1, box.pixels.y1, box.pixels.x2, box.pixels.y2];
}

function answeredSpan(parts: readonly Part[]): [number, number] {
  const span = parts.find((p): p is Extract<Part, { type: 'span' }> => p.type === 'span');
  if (span?.seconds === undefined) throw new Error('no span in the answer');
  return [span.seconds.start, span.seconds.end];
}

/**
 * The reply picture is marked where the box is: along the box's four edges (on the picture's scale), a
 * good share of the pixels are reference [1]'s colour; the scene itself has none of it there.
 */
async function expectBoxDrawn(picture: Buffer, box: Box): Promise<void> {
  const { data, info } = await sharp(picture).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const k = info.width / scene.width!; // the reply picture may be the scene with a legend strip below
  const hex = referenceColour(1);
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const near = (x: number, y: number): boolean => {
    for (let dy = -2; dy <= 2; dy += 1) {
      for (let dx = -2; dx <= 2; dx += 1) {
        const px = Math.round(x * k) + dx;
        const py = Math.round(y * k) + dy;
        if (px < 0 || py < 0 || px >= info.width || py >= info.height) continue;
        const o = (py * info.width + px) * info.channels;
        if (Math.abs(data[o]! - want[0]!) + Math.abs(data[o + 1]! - want[1]!) + Math.abs(data[o + 2]! - want[2]!) < 60) return true;
      }
    }
    return false;
  };
  const [x1, y1, x2, y2] = box;
  let hits = 0;
  let total = 0;
  for (let t = 0.1; t <= 0.9; t += 0.1) {
    for (const [x, y] of [[x1 + t * (x2 - x1), y1], [x1 + t * (x2 - x1), y2], [x1, y1 + t * (y2 - y1)], [x2, y1 + t * (y2 - y1)]] as const) {
      total += 1;
      if (near(x, y)) hits += 1;
    }
  }
  expect(hits / total).toBeGreaterThanOrEqual(0.8);
}

let tiny: OnnxLegoEngine;
beforeAll(async () => {
  tiny = await OnnxLegoEngine.load(TINY, { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await tiny?.dispose();
});

describe('the shipped model hears', () => {
  it('has an audio encoder and the samples to show it', () => {
    expect(tiny.media.audio).not.toBeNull();
    expect(scene.truth.boxes).toHaveLength(1);
    expect(clip.truth.spans).toHaveLength(1);
  });
});

async function pipeline(): Promise<{ engine: RecordingEngine; bot: ReturnType<typeof createBot>; runtime: ConversationRuntime }> {
  const config = appConfig({ engine: { generation: { temperature: 0 } } });
  const runtime = await createConversationRuntime(config.conversation);
  const engine = new RecordingEngine(tiny);
  return { engine, bot: createBot({ config, engine, runtime }), runtime };
}

describe('Discord', () => {
  let h: DiscordHarness | undefined;
  let p: Awaited<ReturnType<typeof pipeline>>;
  beforeEach(async () => {
    p = await pipeline();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await p.bot.close();
    await p.runtime.close();
  });

  it('an image and a sound in one message: the box of the sound source drawn back', async () => {
    h = await startDiscordHarness({ handler: p.bot });
    const { fake, general, alice } = h;
    fake.sendMessage({
      channelId: general.id,
      author: alice,
      mentionBot: true,
      content: scene.question,
      attachments: [
        { name: 'scene.png', data: PNG, contentType: 'image/png' },
        { name: 'bell.wav', data: WAV, contentType: 'audio/wav' },
      ],
    });
    const reply = await fake.waitFor(() => fake.botMessages(general.id).find((m) => m.attachments.length > 0), 60_000, 'the answer with its picture');
    const box = answeredBox(p.engine.answers[0]!);
    expect(iou(box, truthPixels())).toBeGreaterThanOrEqual(0.5);
    expect(reply.content).toContain(scene.truth.names![0]!);
    await expectBoxDrawn(fake.filesOf(reply)[0]!.data, box);
  });

  it('a voice message replying to the picture: the same box', async () => {
    h = await startDiscordHarness({ handler: p.bot });
    const { fake, general, alice } = h;
    const picture = fake.sendMessage({ channelId: general.id, author: alice, content: 'our band', attachments: [{ name: 'scene.png', data: PNG, contentType: 'image/png' }] });
    fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, replyTo: picture.id, content: scene.question, attachments: [{ name: 'voice-message.wav', data: WAV, contentType: 'audio/wav' }] });
    const reply = await fake.waitFor(() => fake.botMessages(general.id).find((m) => m.attachments.length > 0), 60_000, 'the answer with its picture');
    expect(iou(answeredBox(p.engine.answers[0]!), truthPixels())).toBeGreaterThanOrEqual(0.5);
    await expectBoxDrawn(fake.filesOf(reply)[0]!.data, answeredBox(p.engine.answers[0]!));
  });

  it('a video with its soundtrack: the span in which the shape is heard, with the timeline', async () => {
    h = await startDiscordHarness({ handler: p.bot });
    const { fake, general, alice } = h;
    fake.sendMessage({ channelId: general.id, author: alice, mentionBot: true, content: clip.question, attachments: [{ name: 'clip.mp4', data: MP4, contentType: 'video/mp4' }] });
    const reply = await fake.waitFor(() => fake.botMessages(general.id).find((m) => m.attachments.length > 0), 60_000, 'the answer with its timeline');
    expect(p.engine.requests[0]!.audio).toBeDefined(); // the soundtrack reached the model
    const truth = clip.truth.spans![0]!.map((f) => f * clip.duration!) as [number, number];
    expect(iou1d(answeredSpan(p.engine.answers[0]!), truth)).toBeGreaterThanOrEqual(0.5);
    expect(fake.filesOf(reply)[0]!.attachment.filename).toMatch(/\.png$/);
  });
});

describe('Slack', () => {
  let harness: SlackHarness | undefined;
  let p: Awaited<ReturnType<typeof pipeline>>;
  beforeEach(async () => {
    p = await pipeline();
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    await p.bot.close();
    await p.runtime.close();
  });

  it('an image and a sound in one message: the box of the sound source uploaded into the thread', async () => {
    harness = await startSlackHarness({ handler: p.bot, config: {}, fake: {} });
    const slack = harness.slack;
    const image = slack.addFile(PNG, { name: 'scene.png', mimetype: 'image/png' });
    const sound = slack.addFile(WAV, { name: 'bell.wav', mimetype: 'audio/wav' });
    const ts = '1700003000.000001';
    await harness.sendEvent({ type: 'app_mention', user: 'U000ALICE', text: `<@${slack.botUserId}> ${scene.question}`, ts, channel: 'C0000CHAN', files: [image, sound] });
    await slack.waitFor(() => slack.uploads.some((u) => u.completed !== undefined), 60_000, 'the upload');
    const upload = slack.uploads.find((u) => u.completed !== undefined)!;
    const box = answeredBox(p.engine.answers[0]!);
    expect(iou(box, truthPixels())).toBeGreaterThanOrEqual(0.5);
    await expectBoxDrawn(upload.bytes!, box);
    expect(slack.thread('C0000CHAN', ts).map((m) => m.text).join('\n')).toContain(scene.truth.names![0]!);
  });

  it('a video with its soundtrack: the span, with the timeline uploaded', async () => {
    harness = await startSlackHarness({ handler: p.bot, config: {}, fake: {} });
    const slack = harness.slack;
    const video = slack.addFile(MP4, { name: 'clip.mp4', mimetype: 'video/mp4' });
    await harness.sendEvent({ type: 'app_mention', user: 'U000ALICE', text: `<@${slack.botUserId}> ${clip.question}`, ts: '1700003000.000002', channel: 'C0000CHAN', files: [video] });
    await slack.waitFor(() => slack.uploads.some((u) => u.completed !== undefined), 60_000, 'the upload');
    const truth = clip.truth.spans![0]!.map((f) => f * clip.duration!) as [number, number];
    expect(iou1d(answeredSpan(p.engine.answers[0]!), truth)).toBeGreaterThanOrEqual(0.5);
  });
});

describe('the web chat in headless chromium', () => {
  let chromium: LaunchedChromium;
  beforeAll(async () => {
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
  });

  it('one click on the sound sample draws the source box over the shape; one on the clip marks the span', async () => {
    const p = await pipeline();
    const web = new WebAdapter({ bot: p.bot }, { host: '127.0.0.1', port: 0 });
    await web.start();
    const page = await chromium.context.newPage();
    try {
      await page.goto(web.address);
      await page.locator(`#sample-list .sample[data-sample="${scene.file}"]`).click();
      const reply = page.locator('.msg.bot').first();
      await reply.locator('.overlay .box').first().waitFor({ timeout: 60_000 });
      const img = (await reply.locator('.stage img').boundingBox())!;
      const drawn = (await reply.locator('.overlay .box').first().boundingBox())!;
      const k = img.width / scene.width!;
      const box: Box = [(drawn.x - img.x) / k, (drawn.y - img.y) / k, (drawn.x - img.x + drawn.width) / k, (drawn.y - img.y + drawn.height) / k];
      expect(iou(box, truthPixels())).toBeGreaterThanOrEqual(0.5);
      await expect(reply.innerText()).resolves.toContain('source of the sound');

      // a new visitor: the welcome and its samples again
      await chromium.context.clearCookies();
      await page.evaluate(() => {
        localStorage.clear();
        sessionStorage.clear();
      });
      await page.goto(web.address);
      await page.locator(`#sample-list .sample[data-sample="${clip.file}"]`).click();
      const second = page.locator('.msg.bot').first();
      await second.locator('.timeline .span').first().waitFor({ timeout: 60_000 });
      const truth = clip.truth.spans![0]!.map((f) => f * clip.duration!) as [number, number];
      const answered = p.engine.answers.at(-1)!;
      expect(iou1d(answeredSpan(answered), truth)).toBeGreaterThanOrEqual(0.5);
      await page.screenshot({ path: '/tmp/lego-web-chat-heard-clip.png' });
    } finally {
      await page.close();
      await web.stop();
      await p.bot.close();
      await p.runtime.close();
    }
  });
});

describe('lego serve with the official openai client', () => {
  it('an image_url and an input_audio part: the source box in the answer', async () => {
    const serve = await startLegoServe(TINY);
    try {
      const client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const answer = await client.chat.completions.create({
        model: 'lego-tiny',
        temperature: 0,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } },
              { type: 'input_audio', input_audio: { data: WAV.toString('base64'), format: 'wav' } },
              { type: 'text', text: scene.question },
            ],
          },
        ],
      });
      const message = answer.choices[0]!.message as typeof answer.choices[0]['message'] & { grounding?: { boxes: { pixels?: { x1: number; y1: number; x2: number; y2: number } }[] } };
      expect(message.content ?? '').toContain(scene.truth.names![0]!);
      const px = message.grounding?.boxes[0]?.pixels;
      expect(px).toBeDefined();
      expect(iou([px!.x1, px!.y1, px!.x2, px!.y2], truthPixels())).toBeGreaterThanOrEqual(0.5);
    } finally {
      await serve.close();
    }
  });
});
