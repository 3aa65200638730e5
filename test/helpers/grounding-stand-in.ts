/**
 * Stand-in OpenAI-compatible servers for the model families the remote engine talks to. Each answers
 * the way its family documents, RELATIVE TO THE MEDIA IT RECEIVED: it decodes the image (or clip, or
 * timed frames) from the request, finds the red object by colour, and writes its box or time span in
 * the family's own syntax and frame. Nothing here knows how the engine prepared the media.
 *
 *   const s = await startStandIn({ family: 'qwen3-vl', model: 'Qwen/Qwen3-VL-8B-Instruct' });
 *   // s.url, s.received[i] (what came in), s.placed[i] (where it put the box, as fractions of what came in)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);

export type StandInFamily = 'lego' | 'qwen2.5-vl' | 'qwen3-vl' | 'qwen3-vl-thinking' | 'gemini' | 'florence-2' | 'kosmos-2';

export interface ReceivedMedia {
  kind: 'image' | 'clip' | 'frames';
  mime: string;
  /** the image's (or a frame's) size as received */
  width: number;
  height: number;
  /** clip: its duration; frames: how many, and their labels */
  durationSec?: number;
  frames?: number;
  labels?: string[];
}

export interface Placement {
  /** the box the answer means, as fractions of the image received (LEGO: of the square received) */
  box?: { x1: number; y1: number; x2: number; y2: number };
  /** the span the answer means, seconds */
  seconds?: { start: number; end: number };
}

export interface StandInOptions {
  family: StandInFamily;
  /** the id /v1/models lists */
  model: string;
  /** answer 400 "does not support image input" to any request with media */
  refuseMedia?: boolean;
  /** answer this text instead (bad-answer tests) */
  fixedAnswer?: string;
  /** send reasoning in `reasoning_content` before the content (a server with a reasoning parser) */
  reasoningContent?: string;
}

export interface StandIn {
  url: string;
  received: ReceivedMedia[];
  placed: Placement[];
  /** the text of the last user message (the prompt the engine wrote) */
  prompts: string[];
  answers: string[];
  close(): Promise<void>;
}

interface ContentPart {
  type: string;
  text?: string;
  image_url?: { url: string } | string;
  video_url?: { url: string } | string;
}

function decodeDataUrl(url: string): { mime: string; bytes: Buffer } {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (m === null) throw new Error('stand-in: not a base64 data URL');
  return { mime: m[1]!, bytes: Buffer.from(m[2]!, 'base64') };
}

function urlOf(v: { url: string } | string | undefined): string {
  return typeof v === 'string' ? v : (v?.url ?? '');
}

interface RedBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  count: number;
}

/** The bounding box of the red pixels (r > 150, g and b < 100) of RGB pixels, in pixels. */
function redBox(data: Buffer, width: number, height: number, channels: number): RedBox {
  let x1 = width;
  let y1 = height;
  let x2 = -1;
  let y2 = -1;
  let count = 0;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * channels;
      if (data[i]! > 150 && data[i + 1]! < 100 && data[i + 2]! < 100) {
        count += 1;
        if (x < x1) x1 = x;
        if (y < y1) y1 = y;
        if (x > x2) x2 = x;
        if (y > y2) y2 = y;
      }
    }
  }
  return { x1, y1, x2: x2 + 1, y2: y2 + 1, count };
}

async function imageRed(bytes: Buffer): Promise<{ width: number; height: number; red: RedBox }> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, red: redBox(data, info.width, info.height, info.channels) };
}

/** Qwen2.5-VL's smart_resize (transformers' image_processing_qwen2_vl.py), written out again here. */
function smartResize(w: number, h: number, factor = 28, minPixels = 3136, maxPixels = 12_845_056): { width: number; height: number } {
  const roundEven = (v: number): number => {
    const r = Math.round(v);
    return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  };
  let hb = Math.max(factor, roundEven(h / factor) * factor);
  let wb = Math.max(factor, roundEven(w / factor) * factor);
  if (hb * wb > maxPixels) {
    const beta = Math.sqrt((h * w) / maxPixels);
    hb = Math.floor(h / beta / factor) * factor;
    wb = Math.floor(w / beta / factor) * factor;
  } else if (hb * wb < minPixels) {
    const beta = Math.sqrt(minPixels / (h * w));
    hb = Math.ceil((h * beta) / factor) * factor;
    wb = Math.ceil((w * beta) / factor) * factor;
  }
  return { width: wb, height: hb };
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function parseClock(label: string): number {
  return label
    .trim()
    .replace(/\s*s$/, '')
    .split(':')
    .reduce((t, p) => t * 60 + Number(p), 0);
}

/** The family's answer for an image with the red box `r` (pixels of the w×h image received). */
function imageAnswer(family: StandInFamily, w: number, h: number, r: RedBox): { text: string; box: Placement['box'] } {
  const f = { x1: r.x1 / w, y1: r.y1 / h, x2: r.x2 / w, y2: r.y2 / h };
  const thousand = (v: number): number => Math.round(v * 1000);
  switch (family) {
    case 'lego':
      return { text: `The red circle [${f.x1.toFixed(3)}, ${f.y1.toFixed(3)}, ${f.x2.toFixed(3)}, ${f.y2.toFixed(3)}] is there.`, box: f };
    case 'qwen2.5-vl': {
      const s = smartResize(w, h);
      const px = [Math.round(f.x1 * s.width), Math.round(f.y1 * s.height), Math.round(f.x2 * s.width), Math.round(f.y2 * s.height)];
      return {
        text: `The red circle is on the right.\n\`\`\`json\n[\n\t{"bbox_2d": [${px.join(', ')}], "label": "red circle"}\n]\n\`\`\``,
        box: { x1: px[0]! / s.width, y1: px[1]! / s.height, x2: px[2]! / s.width, y2: px[3]! / s.height },
      };
    }
    case 'qwen3-vl':
    case 'qwen3-vl-thinking': {
      const v = [f.x1, f.y1, f.x2, f.y2].map(thousand);
      const json = `\`\`\`json\n[\n  {"bbox_2d": [${v.join(', ')}], "label": "red circle"}\n]\n\`\`\``;
      // a Thinking model's template opens <think> itself: the answer starts inside the thought
      const thought = family === 'qwen3-vl-thinking' ? 'The user wants the circle. Maybe {"bbox_2d": [10, 20, 30, 40]} or [0.1, 0.2, 0.3, 0.4]?\n</think>\n\n' : '';
      return { text: `${thought}The red circle is on the right.\n${json}`, box: { x1: v[0]! / 1000, y1: v[1]! / 1000, x2: v[2]! / 1000, y2: v[3]! / 1000 } };
    }
    case 'gemini': {
      const [x1, y1, x2, y2] = [f.x1, f.y1, f.x2, f.y2].map(thousand) as [number, number, number, number];
      return {
        text: `Here is the red circle.\n\`\`\`json\n[\n  {"box_2d": [${y1}, ${x1}, ${y2}, ${x2}], "label": "red circle"}\n]\n\`\`\``,
        box: { x1: x1 / 1000, y1: y1 / 1000, x2: x2 / 1000, y2: y2 / 1000 },
      };
    }
    case 'florence-2': {
      const bins = [f.x1, f.y1, f.x2, f.y2].map((v) => Math.min(999, Math.max(0, Math.floor(v * 1000))));
      return {
        text: `</s>red circle${bins.map((b) => `<loc_${b}>`).join('')}</s>`,
        box: { x1: (bins[0]! + 0.5) / 1000, y1: (bins[1]! + 0.5) / 1000, x2: (bins[2]! + 0.5) / 1000, y2: (bins[3]! + 0.5) / 1000 },
      };
    }
    case 'kosmos-2': {
      const cell = (v: number): number => Math.min(31, Math.max(0, Math.floor(v * 32)));
      const [c1, r1, c2, r2] = [cell(f.x1), cell(f.y1), cell((r.x2 - 1) / w), cell((r.y2 - 1) / h)] as [number, number, number, number];
      const idx = (row: number, col: number): string => String(row * 32 + col).padStart(4, '0');
      // different row and column: the box runs between the patch centres (transformers' Kosmos-2 processor)
      return {
        text: `<grounding> Question: where? Answer:<phrase> the red circle</phrase><object><patch_index_${idx(r1, c1)}><patch_index_${idx(r2, c2)}></object> is on the right.`,
        box: { x1: (c1 + 0.5) / 32, y1: (r1 + 0.5) / 32, x2: (c2 + 0.5) / 32, y2: (r2 + 0.5) / 32 },
      };
    }
  }
}

/** Frames of a received clip at `fps` (ffmpeg), each with whether it shows red. */
async function clipRed(bytes: Buffer, fps: number): Promise<{ width: number; height: number; durationSec: number; visible: number[] }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lego-stand-in-'));
  try {
    const file = path.join(dir, 'clip.mp4');
    await writeFile(file, bytes);
    const probe = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height:format=duration', '-of', 'json', file]);
    const info = JSON.parse(probe.stdout) as { streams: { width: number; height: number }[]; format: { duration: string } };
    const { width, height } = info.streams[0]!;
    const raw = await run('ffmpeg', ['-v', 'error', '-i', file, '-vf', `fps=${fps}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
      encoding: 'buffer',
      maxBuffer: 1 << 30,
    });
    const frame = width * height * 3;
    const out = raw.stdout as unknown as Buffer;
    const visible: number[] = [];
    for (let k = 0; k * frame < out.length; k += 1) {
      if (redBox(out.subarray(k * frame, (k + 1) * frame), width, height, 3).count > 50) visible.push(k / fps);
    }
    return { width, height, durationSec: Number(info.format.duration), visible };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function sse(res: ServerResponse, text: string, reasoning?: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (delta: object, reason: string | null = null): string =>
    `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: reason }] })}\n\n`;
  res.write(chunk({ role: 'assistant', content: '' }));
  if (reasoning !== undefined) for (let i = 0; i < reasoning.length; i += 7) res.write(chunk({ reasoning_content: reasoning.slice(i, i + 7) }));
  for (let i = 0; i < text.length; i += 5) res.write(chunk({ content: text.slice(i, i + 5) }));
  res.write(chunk({}, 'stop'));
  res.end('data: [DONE]\n\n');
}

/** Starts a stand-in server for `options.family` on 127.0.0.1. */
export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const received: ReceivedMedia[] = [];
  const placed: Placement[] = [];
  const prompts: string[] = [];
  const answers: string[] = [];
  const answer = async (body: { messages: { role: string; content: string | ContentPart[] }[] }): Promise<{ status: number; text: string }> => {
    const user = [...body.messages].reverse().find((m) => m.role === 'user');
    const parts: ContentPart[] = body.messages.flatMap((m) => (typeof m.content === 'string' ? [] : m.content));
    const lastText = typeof user?.content === 'string' ? user.content : (user?.content.filter((p) => p.type === 'text').pop()?.text ?? '');
    prompts.push(lastText);
    const images = parts.filter((p) => p.type === 'image_url');
    const videos = parts.filter((p) => p.type === 'video_url');
    if (options.refuseMedia === true && images.length + videos.length > 0) {
      return { status: 400, text: JSON.stringify({ error: { message: 'This model does not support image input.', type: 'BadRequestError', code: 400 } }) };
    }
    if (options.fixedAnswer !== undefined) return { status: 200, text: options.fixedAnswer };
    if (videos.length > 0) {
      const { mime, bytes } = decodeDataUrl(urlOf(videos[0]!.video_url));
      const clip = await clipRed(bytes, 2);
      received.push({ kind: 'clip', mime, width: clip.width, height: clip.height, durationSec: clip.durationSec });
      const start = clip.visible[0] ?? 0;
      const end = clip.visible[clip.visible.length - 1] ?? 0;
      placed.push({ seconds: { start, end } });
      return { status: 200, text: `The red circle is visible from ${start.toFixed(1)} to ${end.toFixed(1)} seconds.` };
    }
    if (images.length > 1) {
      // timed frames: a text label before each image
      const labels: string[] = [];
      const shown: { time: number; red: boolean }[] = [];
      let width = 0;
      let height = 0;
      for (const [i, p] of parts.entries()) {
        if (p.type !== 'image_url') continue;
        const label = parts[i - 1]?.type === 'text' ? parts[i - 1]!.text! : '';
        labels.push(label);
        const frame = await imageRed(decodeDataUrl(urlOf(p.image_url)).bytes);
        width = frame.width;
        height = frame.height;
        shown.push({ time: parseClock(label), red: frame.red.count > 50 });
      }
      received.push({ kind: 'frames', mime: 'image/jpeg', width, height, frames: shown.length, labels });
      const step = shown.length > 1 ? shown[1]!.time - shown[0]!.time : 1;
      const seen = shown.filter((s) => s.red);
      const start = Math.max(0, (seen[0]?.time ?? 0) - step / 2);
      const end = (seen[seen.length - 1]?.time ?? 0) + step / 2;
      placed.push({ seconds: { start: Math.round(start), end: Math.round(end) } });
      return { status: 200, text: `The red circle appears between ${clock(start)} and ${clock(end)}.` };
    }
    if (images.length === 1) {
      const { mime, bytes } = decodeDataUrl(urlOf(images[0]!.image_url));
      const image = await imageRed(bytes);
      received.push({ kind: 'image', mime, width: image.width, height: image.height });
      if (image.red.count === 0) return { status: 200, text: 'I see no red circle.' };
      const a = imageAnswer(options.family, image.width, image.height, image.red);
      placed.push({ box: a.box });
      return { status: 200, text: a.text };
    }
    return { status: 200, text: 'Hello.' };
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/health')) {
        res.end('{"status":"ok"}');
        return;
      }
      if (req.method === 'GET' && req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: options.model, object: 'model', created: 0, owned_by: 'stand-in' }] }));
        return;
      }
      void answer(JSON.parse(Buffer.concat(chunks).toString()) as never).then(
        ({ status, text }) => {
          if (status !== 200) {
            res.writeHead(status, { 'content-type': 'application/json' });
            res.end(text);
            return;
          }
          answers.push(text);
          sse(res, text, options.reasoningContent);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: String(error) } }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    placed,
    prompts,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
