/**
 * The remote engine against stand-in servers of each model family (test/helpers/grounding-stand-in.ts),
 * each answering in its documented format relative to the media it received: an EXIF-rotated 12 MP
 * photo and a portrait phone video with one red object. The profile comes from the served model's name
 * alone; the drawn box and span must land where the stand-in put them and on the object itself.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { numberRegions } from '../../src/bot/numbered-text';
import { createBot } from '../../src/bot/create-bot';
import { createConversationRuntime } from '../../src/conversation/conversation-runtime';
import { collectAnswer } from '../../src/engine/collect-answer';
import { RemoteEngine } from '../../src/engine/remote/remote-engine';
import type { CollectedAnswer, PreparedMedia } from '../../src/engine/types';
import { LegoError } from '../../src/errors';
import { prepareImageFor, prepareSourceVideo } from '../../src/media/source-media';
import { startStandIn } from '../helpers/grounding-stand-in';
import type { StandIn, StandInFamily } from '../helpers/grounding-stand-in';
import { memoryAttachment, message, testConfig } from '../helpers/bot-fixtures';

const run = promisify(execFile);
jest.setTimeout(120_000);

/** The photo as stored: 4000×3000, EXIF orientation 6 (shown turned 90° clockwise: 3000×4000). */
const STORED = { width: 4000, height: 3000 };
const DISPLAYED = { width: 3000, height: 4000 };
/** the red circle, stored: centre (2800, 900), radius 500 — displayed: (x, y) → (H − y, x) */
const CIRCLE = { cx: 2800, cy: 900, r: 500 };
const TRUTH = { x1: STORED.height - CIRCLE.cy - CIRCLE.r, y1: CIRCLE.cx - CIRCLE.r, x2: STORED.height - CIRCLE.cy + CIRCLE.r, y2: CIRCLE.cx + CIRCLE.r };
/** the video: 12 s, stored 640×360 with rotation metadata (a phone held upright), the red square from 3 s to 9 s */
const CLIP_TRUTH = { start: 3, end: 9 };

type Box = { x1: number; y1: number; x2: number; y2: number };

function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const h = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = w * h;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

function spanIou(a: { start: number; end: number }, b: { start: number; end: number }): number {
  const inter = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  return inter / (a.end - a.start + (b.end - b.start) - inter);
}

/** Where the stand-in put its box (fractions of what it received) on the displayed photo. */
function placedOnPhoto(family: StandInFamily, box: Box): Box {
  const { width: w, height: h } = DISPLAYED;
  if (family === 'lego') {
    // LEGO's padded square: X = x·S − (S − W)/2
    const s = Math.max(w, h);
    return { x1: box.x1 * s - (s - w) / 2, y1: box.y1 * s - (s - h) / 2, x2: box.x2 * s - (s - w) / 2, y2: box.y2 * s - (s - h) / 2 };
  }
  return { x1: box.x1 * w, y1: box.y1 * h, x2: box.x2 * w, y2: box.y2 * h };
}

/** The reply text people read: regions numbered from the engine's offsets. */
function shown(answer: CollectedAnswer): string {
  const regions = [...answer.boxes, ...answer.spans].sort((a, b) => a.start - b.start);
  return numberRegions(answer.text, regions.map((r, i) => ({ start: r.start, end: r.end, shown: r.shown, number: i + 1 })));
}

function expectNoRawGrounding(text: string): void {
  expect(text.replace(/\[\d+\]/g, '')).not.toMatch(/\d/);
  expect(text).not.toMatch(/```|bbox_2d|box_2d|<loc_|<patch_index|<think|<\/think|\{\s*"/);
  expect(text).not.toMatch(/Maybe|The user wants/);
}

let dir: string;
let photo: Buffer;
let clip: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lego-stand-ins-'));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${STORED.width}" height="${STORED.height}">
    <rect x="300" y="1600" width="900" height="900" fill="#2040d0"/>
    <circle cx="${CIRCLE.cx}" cy="${CIRCLE.cy}" r="${CIRCLE.r}" fill="#ff0000"/></svg>`;
  photo = await sharp({ create: { ...STORED, channels: 3, background: { r: 120, g: 150, b: 110 } } })
    .composite([{ input: Buffer.from(svg) }])
    .jpeg({ quality: 85 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const stored = path.join(dir, 'stored.mp4');
  clip = path.join(dir, 'portrait.mp4');
  await run('ffmpeg', [
    '-v', 'error', '-f', 'lavfi', '-i', 'color=c=0x5a8cc8:s=640x360:d=12:r=10',
    '-vf', "drawbox=x=420:y=100:w=140:h=140:color=red:t=fill:enable='between(t,3,9)'",
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', stored,
  ]);
  // the display matrix a phone writes (ffmpeg 5 keeps it on a stream copy)
  await run('ffmpeg', ['-v', 'error', '-i', stored, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', clip]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('the photo really is stored landscape with orientation 6 and shown portrait, the circle where TRUTH says', async () => {
  const meta = await sharp(photo).metadata();
  expect([meta.width, meta.height, meta.orientation]).toEqual([4000, 3000, 6]);
  const { data, info } = await sharp(photo).rotate().raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([3000, 4000]);
  const at = (x: number, y: number): number[] => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
  expect(at((TRUTH.x1 + TRUTH.x2) / 2, (TRUTH.y1 + TRUTH.y2) / 2)[0]).toBeGreaterThan(200);
});

const IMAGE_CASES: { family: StandInFamily; model: string; profile: string; minIou: number }[] = [
  { family: 'qwen2.5-vl', model: 'Qwen/Qwen2.5-VL-7B-Instruct', profile: 'qwen2.5-vl', minIou: 0.9 },
  { family: 'qwen3-vl', model: 'Qwen/Qwen3-VL-8B-Instruct', profile: 'qwen3-vl', minIou: 0.9 },
  { family: 'qwen3-vl-thinking', model: 'qwen3-vl:8b-thinking', profile: 'qwen3-vl', minIou: 0.9 },
  { family: 'gemini', model: 'gemini-2.5-flash', profile: 'gemini', minIou: 0.9 },
  { family: 'florence-2', model: 'microsoft/Florence-2-large', profile: 'florence-2', minIou: 0.9 },
  // a 32×32 patch grid: the box runs between patch centres, up to half a patch inside the object
  { family: 'kosmos-2', model: 'microsoft/kosmos-2-patch14-224', profile: 'kosmos-2', minIou: 0.85 },
  { family: 'lego', model: 'lego-7b', profile: 'lego', minIou: 0.9 },
];

describe.each(IMAGE_CASES)('$family stand-in ($model), the EXIF-rotated 12 MP photo', ({ family, model, profile, minIou }) => {
  let stand: StandIn;
  let engine: RemoteEngine;
  beforeAll(async () => {
    stand = await startStandIn({ family, model });
    // the profile comes from /v1/models' name alone
    engine = await RemoteEngine.connect({ endpoints: [stand.url], healthCheckIntervalMs: 0 });
  });
  afterAll(async () => {
    await engine?.dispose();
    await stand?.close();
  });

  it('chooses the profile from the model name and boxes the circle where the stand-in put it', async () => {
    expect(engine.profile.name).toBe(profile);
    const media: PreparedMedia = await prepareImageFor(engine.media, photo);
    expect(media.size).toEqual(DISPLAYED);
    const answer = await collectAnswer(engine.generate({ turns: [{ role: 'user', text: 'Where is the red circle?' }], media }));

    const got = stand.received[0]!;
    if (family === 'lego') {
      expect([got.width, got.height]).toEqual([336, 336]);
    } else {
      expect(got.mime).toBe('image/jpeg');
      expect(Math.max(got.width, got.height)).toBeGreaterThanOrEqual(1000);
      expect(got.height).toBeGreaterThan(got.width);
      expect(Math.abs(got.width / got.height - DISPLAYED.width / DISPLAYED.height)).toBeLessThan(0.02);
    }
    expect(answer.boxes).toHaveLength(1);
    const drawn = answer.boxes[0]!.pixels!;
    expect(iou(drawn, placedOnPhoto(family, stand.placed[0]!.box!))).toBeGreaterThanOrEqual(0.9);
    expect(iou(drawn, TRUTH)).toBeGreaterThanOrEqual(minIou);
    const text = shown(answer);
    expect(text).toContain('[1]');
    expectNoRawGrounding(text);
  });
});

describe.each([
  { family: 'qwen2.5-vl' as const, model: 'Qwen/Qwen2.5-VL-7B-Instruct', kind: 'clip' },
  { family: 'qwen3-vl' as const, model: 'Qwen/Qwen3-VL-8B-Instruct', kind: 'clip' },
  { family: 'gemini' as const, model: 'gemini-2.5-flash', kind: 'frames' },
])('$family stand-in, the portrait video', ({ family, model, kind }) => {
  it('gets the upright clip (or timed frames) and its time answer becomes the span on the real clip', async () => {
    const stand = await startStandIn({ family, model });
    const engine = await RemoteEngine.connect({ endpoints: [stand.url], healthCheckIntervalMs: 0 });
    try {
      const budget = engine.media.source!.video!;
      expect(budget.kind).toBe(kind);
      const { prepared } = await prepareSourceVideo(clip, budget);
      expect(prepared.size).toEqual({ width: 360, height: 640 });
      const answer = await collectAnswer(engine.generate({ turns: [{ role: 'user', text: 'When does the red circle appear?' }], media: prepared }));
      const got = stand.received[0]!;
      expect(got.kind).toBe(kind);
      expect(got.height).toBeGreaterThan(got.width);
      expect(Math.abs(got.width / got.height - 360 / 640)).toBeLessThan(0.05);
      if (kind === 'clip') expect(got.durationSec).toBeCloseTo(12, 0);
      expect(answer.spans).toHaveLength(1);
      const drawn = answer.spans[0]!.seconds!;
      expect(spanIou(drawn, stand.placed[0]!.seconds!)).toBeGreaterThanOrEqual(0.9);
      expect(spanIou(drawn, CLIP_TRUTH)).toBeGreaterThanOrEqual(0.9);
      expectNoRawGrounding(shown(answer));
    } finally {
      await engine.dispose();
      await stand.close();
    }
  });

  it('a stretch of it (a zoom in time) is sent alone: its own duration, the answer in its own seconds', async () => {
    const stand = await startStandIn({ family, model });
    const engine = await RemoteEngine.connect({ endpoints: [stand.url], healthCheckIntervalMs: 0 });
    try {
      // 6–12 s of the clip: the red circle, on from 3 s to 9 s, is on for its first 3 s
      const { prepared } = await prepareSourceVideo(clip, engine.media.source!.video!, undefined, { window: { start: 6, end: 12 } });
      expect(prepared.durationSec).toBeCloseTo(6, 1);
      const answer = await collectAnswer(engine.generate({ turns: [{ role: 'user', text: 'When does the red circle appear?' }], media: prepared }));
      if (kind === 'clip') expect(stand.received[0]!.durationSec).toBeCloseTo(6, 0);
      expect(answer.spans).toHaveLength(1);
      expect(spanIou(answer.spans[0]!.seconds!, { start: 0, end: 3 })).toBeGreaterThanOrEqual(0.8);
    } finally {
      await engine.dispose();
      await stand.close();
    }
  });
});

describe('bad answers', () => {
  async function ask(options: Parameters<typeof startStandIn>[0]): Promise<{ answer?: CollectedAnswer; error?: unknown; stand: StandIn }> {
    const stand = await startStandIn(options);
    const engine = await RemoteEngine.connect({ endpoints: [stand.url], healthCheckIntervalMs: 0 });
    try {
      const media = await prepareImageFor(engine.media, photo);
      const answer = await collectAnswer(engine.generate({ turns: [{ role: 'user', text: 'Where is the red circle?' }], media }));
      return { answer, stand };
    } catch (error) {
      return { error, stand };
    } finally {
      await engine.dispose();
      await stand.close();
    }
  }

  it('malformed JSON, or no box at all: one clear sentence, nothing drawn, no crash', async () => {
    for (const fixedAnswer of ['It is red.\n```json\n[{"bbox_2d": [1, 2,\n```', 'It is a red circle.']) {
      const { answer } = await ask({ family: 'qwen3-vl', model: 'Qwen/Qwen3-VL-8B-Instruct', fixedAnswer });
      expect(answer!.boxes).toEqual([]);
      expect(answer!.text).toMatch(/The model gave no box I could read/);
    }
  });

  it('coordinates out of range are clamped to the image', async () => {
    const { answer } = await ask({ family: 'gemini', model: 'gemini-2.5-flash', fixedAnswer: '```json\n[{"box_2d": [500, 700, 1200, 1010], "label": "x"}]\n```' });
    expect(answer!.boxes[0]!.pixels).toMatchObject({ x1: 2100, y1: 2000, x2: 3000, y2: 4000 });
  });

  it('a server that refuses images: unsupported-media with a sentence for the user', async () => {
    const { error } = await ask({ family: 'qwen3-vl', model: 'Qwen/Qwen3-VL-8B-Instruct', refuseMedia: true });
    expect(LegoError.is(error, 'unsupported-media')).toBe(true);
    expect((error as LegoError).userMessage).toMatch(/does not take images/);
  });

  it('reasoning sent apart (reasoning_content) never reaches the text', async () => {
    const { answer } = await ask({ family: 'qwen3-vl', model: 'Qwen/Qwen3-VL-8B-Thinking', reasoningContent: 'I think {"bbox_2d": [1, 1, 2, 2]}' });
    expect(answer!.text).not.toMatch(/I think|<\/think>/);
    expect(answer!.boxes).toHaveLength(1);
  });
});

/** how each family's follow-up names "box 1" (the region in its own syntax, of the image sent) */
const REGION_WRITTEN: Partial<Record<StandInFamily, RegExp>> = {
  'qwen2.5-vl': /\{"bbox_2d":\[\d+,\d+,\d+,\d+\]\}/,
  'qwen3-vl': /\{"bbox_2d":\[\d+,\d+,\d+,\d+\]\}/,
  'qwen3-vl-thinking': /\{"bbox_2d":\[\d+,\d+,\d+,\d+\]\}/,
  gemini: /\{"box_2d":\[\d+,\d+,\d+,\d+\]\}/,
  'florence-2': /^<REGION_TO_DESCRIPTION>(?:<loc_\d+>){4}$/,
  'kosmos-2': /<object><patch_index_\d{4}><patch_index_\d{4}><\/object>/,
  lego: /\[0\.\d{3}, 0\.\d{3}, 0\.\d{3}, 0\.\d{3}\]/,
};

describe('through the bot pipeline', () => {
  it.each(IMAGE_CASES)('$family: the reply shows [1], draws the box on the circle, and a follow-up names the box in its syntax', async ({ family, model, minIou }) => {
    const stand = await startStandIn({ family, model });
    const engine = await RemoteEngine.connect({ endpoints: [stand.url], healthCheckIntervalMs: 0 });
    const runtime = await createConversationRuntime({});
    const bot = createBot({ config: testConfig(), engine, runtime });
    try {
      const reply = await bot.handle(message('Where is the red circle?', [memoryAttachment(photo, 'phone.jpg')], `stand-in:${family}`));
      expect(reply.error).toBeUndefined();
      expect(reply.text).toContain('[1]');
      expectNoRawGrounding(reply.text);
      expect(reply.boxes).toHaveLength(1);
      expect(iou(reply.boxes[0]!.pixels, TRUTH)).toBeGreaterThanOrEqual(minIou);
      const again = await bot.handle(message('What colour is box 1?', [], `stand-in:${family}`));
      expect(again.error).toBeUndefined();
      // the follow-up reached the model with the region in its own syntax, and the photo again
      expect(stand.prompts[1]).toMatch(REGION_WRITTEN[family]!);
      expect(stand.received).toHaveLength(2);
    } finally {
      await bot.close();
      await runtime.close();
      await engine.dispose();
      await stand.close();
    }
  });
});

describe('through the bot pipeline: video and refusals', () => {
  it('gemini: a portrait phone video gets its span on the real clip, the reply shows [1] and no times in raw form', async () => {
    const stand = await startStandIn({ family: 'gemini', model: 'gemini-2.5-flash' });
    const engine = await RemoteEngine.connect({ endpoints: [stand.url], healthCheckIntervalMs: 0 });
    const runtime = await createConversationRuntime({});
    const bot = createBot({ config: testConfig(), engine, runtime });
    try {
      const bytes = await readFile(clip);
      const reply = await bot.handle(message('When does the red circle appear?', [memoryAttachment(bytes, 'phone.mp4')], 'stand-in:video'));
      expect(reply.error).toBeUndefined();
      expect(reply.text).toContain('[1]');
      expectNoRawGrounding(reply.text);
      expect(reply.spans).toHaveLength(1);
      expect(spanIou(reply.spans[0]!.seconds, CLIP_TRUTH)).toBeGreaterThanOrEqual(0.9);
      expect(stand.received[0]).toMatchObject({ kind: 'frames' });
      expect(stand.received[0]!.height).toBeGreaterThan(stand.received[0]!.width);
    } finally {
      await bot.close();
      await runtime.close();
      await engine.dispose();
      await stand.close();
    }
  });

  it('a server that refuses images: one sentence for the user, and the conversation goes on', async () => {
    const stand = await startStandIn({ family: 'qwen3-vl', model: 'Qwen/Qwen3-VL-8B-Instruct', refuseMedia: true });
    const engine = await RemoteEngine.connect({ endpoints: [stand.url], healthCheckIntervalMs: 0 });
    const runtime = await createConversationRuntime({});
    const bot = createBot({ config: testConfig(), engine, runtime });
    try {
      const reply = await bot.handle(message('Where is the red circle?', [memoryAttachment(photo, 'phone.jpg')], 'stand-in:refuse'));
      expect(reply.text).toMatch(/does not take images/);
      expect(reply.text.split(/(?<=[.!?])\s/).length).toBeLessThanOrEqual(2);
      const next = await bot.handle(message('Say hello.', [], 'stand-in:refuse'));
      expect(next.error).toBeUndefined();
    } finally {
      await bot.close();
      await runtime.close();
      await engine.dispose();
      await stand.close();
    }
  });
});
