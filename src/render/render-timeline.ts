import { createCanvas } from '@napi-rs/canvas';
import type { SKRSContext2D } from '@napi-rs/canvas';
import sharp from 'sharp';
import { LegoError } from '../errors';
import { decodeForDisplay } from '../media/decode-for-display';
import type { RawImage } from '../media/raw-image';
import { drawTag, measureTag } from './draw-tag';
import { encodeCanvasPng } from './encode-png';
import { renderFont } from './fonts';
import { referenceColour } from './palette';
import { formatClock, timeTicks } from './time-ticks';
import { waveformEnvelope } from './waveform-envelope';

/** A span to draw, in seconds. */
export interface TimelineSpan {
  index: number;
  start: number;
  end: number;
  label?: string | undefined;
}

/** A frame to show above the axis at `time` (seconds): raw pixels or an encoded image file. */
export interface TimelineKeyframe {
  time: number;
  image: RawImage | Uint8Array;
}

/** The decoded soundtrack (mono, in [-1, 1]) drawn as a waveform strip under the spans. */
export interface TimelineWaveform {
  samples: Float32Array;
  sampleRate: number;
}

export interface TimelineInput {
  durationSec: number;
  spans: readonly TimelineSpan[];
  keyframes?: readonly TimelineKeyframe[] | undefined;
  /** the soundtrack: a waveform strip with each span marked over it in its colour */
  waveform?: TimelineWaveform | undefined;
}

export interface RenderTimelineOptions {
  /** width of the PNG (default 1200) */
  width?: number;
  /** height of the keyframe thumbnails (default 96) */
  thumbHeight?: number;
}

const MARGIN = 28;
const BAR_HEIGHT = 26;
const SPAN_FONT_PX = 14;
const LANE_GAP = 6;
const AXIS_HEIGHT = 34;
const GAP = 12;
const BACKGROUND = '#ffffff';
const INK = '#333333';
const GRID = '#e4e4e4';
const WAVE_HEIGHT = 56;
const WAVE_INK = '#4a5568';
const WAVE_BACKGROUND = '#f4f6f8';

function isRaw(image: RawImage | Uint8Array): image is RawImage {
  return !(image instanceof Uint8Array);
}

/** The lane of each item: the first lane whose last item ends (plus a gap) before this one starts. */
function assignLanes(items: readonly { left: number; right: number }[], gap: number): number[] {
  const laneEnds: number[] = [];
  const order = items.map((_, i) => i).sort((a, b) => (items[a]?.left ?? 0) - (items[b]?.left ?? 0));
  const lanes = new Array<number>(items.length).fill(0);
  for (const i of order) {
    const item = items[i];
    if (!item) continue;
    let lane = laneEnds.findIndex((end) => end + gap <= item.left);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(item.right);
    } else {
      laneEnds[lane] = item.right;
    }
    lanes[i] = lane;
  }
  return lanes;
}

interface Thumb {
  time: number;
  rgba: Buffer;
  width: number;
  height: number;
}

async function makeThumb(frame: TimelineKeyframe, thumbHeight: number, maxWidth: number): Promise<Thumb> {
  const raw = isRaw(frame.image)
    ? frame.image
    : (await decodeForDisplay(frame.image, { alpha: 'flatten', maxSide: thumbHeight * 4 })).image;
  const scale = Math.min(thumbHeight / raw.height, maxWidth / raw.width);
  const width = Math.max(1, Math.round(raw.width * scale));
  const height = Math.max(1, Math.round(raw.height * scale));
  const rgba = await sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .ensureAlpha()
    .raw()
    .toBuffer();
  return { time: frame.time, rgba, width, height };
}

function drawAxis(ctx: SKRSContext2D, top: number, x: (t: number) => number, duration: number, width: number): void {
  const usable = width - 2 * MARGIN;
  const { ticks, step } = timeTicks(duration, Math.max(2, Math.floor(usable / 90)));
  const tenths = step < 1;
  ctx.strokeStyle = INK;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(MARGIN, top + 0.5);
  ctx.lineTo(width - MARGIN, top + 0.5);
  ctx.stroke();
  ctx.font = renderFont(13, 'normal');
  ctx.fillStyle = INK;
  ctx.textBaseline = 'top';
  ctx.lineWidth = 1;
  for (const tick of ticks) {
    const tx = Math.round(x(tick)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(tx, top);
    ctx.lineTo(tx, top + 7);
    ctx.stroke();
    const text = formatClock(tick, tenths);
    const w = ctx.measureText(text).width;
    ctx.textAlign = 'left';
    ctx.fillText(text, Math.min(width - MARGIN / 2 - w, Math.max(MARGIN / 2, tx - w / 2)), top + 10);
  }
  // the end of the clip, when the last tick is not it
  const last = ticks[ticks.length - 1] ?? 0;
  if (duration - last > step * 0.35) {
    const tx = Math.round(x(duration)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(tx, top);
    ctx.lineTo(tx, top + 4);
    ctx.stroke();
  }
}

/** The soundtrack's envelope between the margins, the spans shaded over it, a small "sound" caption. */
function drawWaveform(
  ctx: SKRSContext2D,
  waveform: TimelineWaveform,
  spans: readonly TimelineSpan[],
  top: number,
  x: (t: number) => number,
  duration: number,
  width: number,
): void {
  const left = MARGIN;
  const columns = Math.max(1, Math.round(width - 2 * MARGIN));
  // only the samples within the video's duration, so the strip lines up with the axis
  const shown = Math.min(waveform.samples.length, Math.round(duration * waveform.sampleRate));
  const covered = Math.max(1, Math.round((columns * shown) / Math.max(1, duration * waveform.sampleRate)));
  const envelope = waveformEnvelope(waveform.samples.subarray(0, shown), Math.min(columns, covered));
  ctx.fillStyle = WAVE_BACKGROUND;
  ctx.fillRect(left, top, columns, WAVE_HEIGHT);
  for (const span of spans) {
    ctx.fillStyle = referenceColour(span.index);
    ctx.globalAlpha = 0.35;
    ctx.fillRect(x(span.start), top, Math.max(2, x(span.end) - x(span.start)), WAVE_HEIGHT);
    ctx.globalAlpha = 1;
  }
  const middle = top + WAVE_HEIGHT / 2;
  const half = WAVE_HEIGHT / 2 - 3;
  ctx.strokeStyle = WAVE_INK;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let i = 0; i < envelope.min.length; i += 1) {
    const cx = left + i + 0.5;
    const y1 = middle - envelope.max[i]! * half;
    const y2 = middle - envelope.min[i]! * half;
    ctx.moveTo(cx, Math.min(y1, middle - 0.5));
    ctx.lineTo(cx, Math.max(y2, middle + 0.5));
  }
  ctx.stroke();
  for (const span of spans) {
    ctx.strokeStyle = referenceColour(span.index);
    ctx.lineWidth = 2;
    ctx.strokeRect(x(span.start), top + 1, Math.max(2, x(span.end) - x(span.start)), WAVE_HEIGHT - 2);
  }
  ctx.font = renderFont(11, 'normal');
  ctx.fillStyle = INK;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText('sound', left + 3, top + 2);
}

/**
 * A timeline strip for a video answer: a time axis with `m:ss` ticks, each span a bar in its
 * reference colour labelled `[n] label` (overlapping spans on separate lanes), and keyframe
 * thumbnails above the axis at their times, framed in the colour of the span they fall in. With a
 * `waveform`, a strip of the soundtrack's envelope (min/max of the samples under each pixel column) lies
 * between the bars and the axis, each span shaded over it in its colour, so the span is seen where the
 * sound is.
 */
export async function renderTimeline(input: TimelineInput, options: RenderTimelineOptions = {}): Promise<Buffer> {
  const width = Math.max(320, Math.round(options.width ?? 1200));
  const thumbHeight = Math.max(24, Math.round(options.thumbHeight ?? 96));
  const duration = input.durationSec;
  if (!(Number.isFinite(duration) && duration > 0)) throw new LegoError('bad-input', `invalid duration ${duration}`);
  const spans = input.spans.map((span) => {
    const a = Math.max(0, Math.min(duration, Math.min(span.start, span.end)));
    const b = Math.max(0, Math.min(duration, Math.max(span.start, span.end)));
    return { ...span, start: Number.isFinite(a) ? a : 0, end: Number.isFinite(b) ? b : 0 };
  });
  const usable = width - 2 * MARGIN;
  const x = (t: number): number => MARGIN + (Math.max(0, Math.min(duration, t)) / duration) * usable;

  const thumbs = await Promise.all(
    (input.keyframes ?? []).map((frame) => makeThumb(frame, thumbHeight, Math.round(thumbHeight * 2))),
  );
  thumbs.sort((a, b) => a.time - b.time);
  // each bar with its label: inside the bar when it fits, else just after it (or before it at the
  // right edge); lanes are assigned on what is drawn, so a label never runs into the next bar
  const measure = createCanvas(1, 1).getContext('2d');
  const bars = spans.map((span) => {
    const left = x(span.start);
    const barWidth = Math.max(4, x(span.end) - left);
    const range = `${formatClock(span.start, duration < 60)}–${formatClock(span.end, duration < 60)}`;
    const label = span.label?.trim();
    const text = label ? `[${span.index}] ${label} · ${range}` : `[${span.index}] ${range}`;
    const tag = measureTag(measure, text, SPAN_FONT_PX);
    const inside = tag.width + 6 <= barWidth;
    const tagX = inside
      ? left + 3
      : Math.max(MARGIN / 2, Math.min(width - MARGIN / 2 - tag.width, left + barWidth + 4));
    return { span, left, barWidth, text, tag, tagX, extent: { left: Math.min(left, tagX), right: Math.max(left + barWidth, tagX + tag.width) } };
  });
  const lanes = assignLanes(bars.map((bar) => bar.extent), 6);
  const laneCount = spans.length === 0 ? 1 : Math.max(...lanes) + 1;

  const thumbTop = MARGIN - 8;
  const thumbBlock = thumbs.length > 0 ? thumbHeight + 2 * GAP : 0;
  const barsTop = thumbTop + thumbBlock + (thumbs.length > 0 ? 0 : 4);
  const waveTop = barsTop + laneCount * (BAR_HEIGHT + LANE_GAP) + GAP / 2;
  const waveBlock = input.waveform === undefined ? 0 : WAVE_HEIGHT + GAP / 2;
  const axisTop = waveTop + waveBlock;
  const height = axisTop + AXIS_HEIGHT;

  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, width, height);

  // light grid lines at the ticks, behind everything
  const { ticks } = timeTicks(duration, Math.max(2, Math.floor(usable / 90)));
  ctx.strokeStyle = GRID;
  ctx.lineWidth = 1;
  for (const tick of ticks) {
    const tx = Math.round(x(tick)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(tx, barsTop - 4);
    ctx.lineTo(tx, axisTop);
    ctx.stroke();
  }

  // keyframe thumbnails, centred on their time, pushed right when they would overlap
  let nextFree = MARGIN / 2;
  const placedThumbs = thumbs.map((thumb) => {
    const inSpan = spans.find((span) => thumb.time >= span.start && thumb.time <= span.end);
    const colour = inSpan ? referenceColour(inSpan.index) : '#888888';
    const cx = x(thumb.time);
    const left = Math.min(Math.round(Math.max(nextFree, cx - thumb.width / 2)), width - MARGIN / 2 - thumb.width);
    nextFree = left + thumb.width + 6;
    return { thumb, inSpan, colour, cx, left, top: thumbTop + GAP };
  });
  // connectors from each thumbnail to its time on the axis, under the bars
  ctx.lineWidth = 1.5;
  ctx.setLineDash([3, 3]);
  for (const { thumb, colour, cx, left, top } of placedThumbs) {
    ctx.strokeStyle = colour;
    ctx.beginPath();
    ctx.moveTo(left + thumb.width / 2, top + thumb.height + 2);
    ctx.lineTo(cx, axisTop);
    ctx.stroke();
  }
  ctx.setLineDash([]);

  // spans
  bars.forEach(({ span, left, barWidth, text, tag, tagX }, i) => {
    const colour = referenceColour(span.index);
    const top = barsTop + (lanes[i] ?? 0) * (BAR_HEIGHT + LANE_GAP);
    ctx.fillStyle = colour;
    ctx.globalAlpha = 0.85;
    ctx.fillRect(left, top, barWidth, BAR_HEIGHT);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.45)';
    ctx.lineWidth = 1;
    ctx.strokeRect(Math.round(left) + 0.5, top + 0.5, Math.max(3, Math.round(barWidth) - 1), BAR_HEIGHT - 1);
    drawTag(ctx, text, tagX, top + (BAR_HEIGHT - tag.height) / 2, colour, SPAN_FONT_PX);
  });

  if (input.waveform !== undefined) drawWaveform(ctx, input.waveform, spans, waveTop, x, duration, width);

  for (const { thumb, inSpan, colour, left, top } of placedThumbs) {
    const data = ctx.createImageData(thumb.width, thumb.height);
    data.data.set(thumb.rgba);
    ctx.putImageData(data, left, top);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 3;
    ctx.strokeRect(left - 1.5, top - 1.5, thumb.width + 3, thumb.height + 3);
    if (inSpan) drawTag(ctx, `[${inSpan.index}]`, left, top, colour, 12);
  }

  drawAxis(ctx, axisTop, x, duration, width);
  return encodeCanvasPng(canvas);
}
