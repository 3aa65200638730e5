import type { ModelBox, ModelSpan, PixelBox, SecondSpan } from '../grounding/types';
import { findDrawnRegions } from './drawn-region';
import type { DrawnPhrase } from './drawn-region';
import { describeRegion, describeRegions } from './memory-summary';
import { modelBoxToPixels, pixelBoxToModel, secondsToSpan } from '../grounding/coordinate-frames';
import { formatBox, formatSpan } from '../grounding/lego-format';
import type { Clip, ConversationRecord, CropRect, MediaContext, Region } from './record';
import { parseReferences } from './reference-parser';
import type { ReferenceIntent, ReferenceKind, ReferencePhrase } from './reference-parser';
import { findMediaReference } from './media-references';
import { resolveWordReferences } from './word-references';
import type { NamedReference } from './word-references';
import { unionPixelBox, unionSeconds, ZOOM_MIN_SECONDS, zoomClip, zoomCrop } from './zoom';

export interface ResolveSettings {
  /** see ZoomSettings.margin */
  zoomMargin: number;
  /** see ZoomSettings.minSize */
  zoomMinSize: number;
  /** the question asked on the crop when "zoom into N" says nothing more */
  zoomQuestion: string;
}

/**
 * What a question's region references come to:
 * - `none`: no references; ask the model the text as it is (words such as "the left one" that name
 *   nothing this conversation has shown on its media included — the model has the conversation);
 * - `resolved`: the regions, the media they are on, and the question rewritten into LEGO's region
 *   syntax in the model's frame; for zoom, also the crop of the full image to ask `question` on;
 * - `unknown`: some numbers name no region; `message` says which regions there are;
 * - `invalid`: the references exist but cannot be asked that way (zoom into a span, regions of two
 *   different media…); `message` says why, politely.
 */
export type ReferenceResolution =
  | { status: 'none' }
  | {
      status: 'resolved';
      /** `ask-media`: no region, an earlier media named in words ("the first image") */
      kind: ReferenceKind | 'ask-media';
      /** null when the question only points at regions drawn by hand */
      intent: ReferenceIntent | null;
      regions: Region[];
      /** the media context the regions are on (null: regions shown without media) */
      mediaId: number | null;
      /** what to send to the model (model frame) */
      question: string;
      /** zoom into boxes only: the rectangle of the full image to crop and ask `question` on */
      crop: CropRect | null;
      /** zoom into spans only: the stretch of the video (seconds) to sample again and ask `question` on */
      clip: Clip | null;
      /** regions the person drew by hand ("the region 10,20,200,180"), in order, to be numbered with the question */
      drawn: DrawnInput[];
      /** regions named in words ("the left one", "zoom into the heart"), to say which were taken */
      named: NamedReference[];
      /** an earlier media named in words ("the first image"), asked about again */
      switched: MediaContext | null;
    }
  | { status: 'unknown'; intent: ReferenceIntent; missing: number[]; message: string }
  | { status: 'invalid'; intent: ReferenceIntent | null; message: string };

/** A region drawn by hand, in the model's frame and as drawn (clipped to the media). */
export type DrawnInput =
  | { kind: 'box'; box: ModelBox; pixels: PixelBox }
  | { kind: 'span'; span: ModelSpan; seconds: SecondSpan };

/** What "zoom into span N" asks about the stretch when the person says nothing more. */
const ZOOM_CLIP_QUESTION = 'What happens in this video?';

function regionSyntax(region: Region): string {
  return region.kind === 'box' ? formatBox(region.box) : formatSpan(region.span);
}

function joinList(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function capitalise(text: string): string {
  return text.replace(/\p{L}/u, (letter) => letter.toUpperCase());
}

function rewrite(
  text: string,
  phrases: readonly ReferencePhrase[],
  byNumber: ReadonlyMap<number, Region>,
  drawn: readonly { phrase: DrawnPhrase; input: DrawnInput }[] = [],
): string {
  const pieces = [
    ...phrases.map((phrase) => {
      const list = joinList(phrase.items.map((item) => regionSyntax(byNumber.get(item.number) as Region)));
      return { start: phrase.start, end: phrase.end, words: phrase.role === 'compare' ? `compare ${list}` : list };
    }),
    ...drawn.map(({ phrase, input }) => ({
      start: phrase.start,
      end: phrase.end,
      words: text.slice(phrase.start, phrase.coordsStart) + (input.kind === 'box' ? formatBox(input.box) : formatSpan(input.span)),
    })),
  ].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const piece of pieces) {
    out += text.slice(at, piece.start) + piece.words;
    at = piece.end;
  }
  return capitalise((out + text.slice(at)).trim());
}

function seconds(value: number): string {
  return `${Number(value.toFixed(2))} s`;
}

/** A drawn region on `media` in the model's frame, or why it cannot be used. */
function drawnInput(phrase: DrawnPhrase, media: MediaContext | undefined): DrawnInput | string {
  const drawn = phrase.region;
  if (drawn.kind === 'box') {
    const p = drawn.pixels;
    if (media?.kind !== 'image' || media.size === null) {
      return 'A rectangle drawn by hand needs an image to sit on: send the image (or ask about it again) first.';
    }
    const { width, height } = media.size;
    const clipped = { x1: Math.max(0, p.x1), y1: Math.max(0, p.y1), x2: Math.min(width, p.x2), y2: Math.min(height, p.y2) };
    if (!(p.x2 > p.x1 && p.y2 > p.y1)) {
      return `The region ${p.x1},${p.y1},${p.x2},${p.y2} is empty: write it as left,top,right,bottom in pixels (right more than left, bottom more than top).`;
    }
    if (!(clipped.x2 > clipped.x1 && clipped.y2 > clipped.y1)) {
      return `The region ${p.x1},${p.y1},${p.x2},${p.y2} lies outside the image, which is ${width}×${height} pixels.`;
    }
    return { kind: 'box', box: pixelBoxToModel(clipped, media.size), pixels: clipped };
  }
  const s = drawn.seconds;
  if (media?.kind !== 'video' || media.durationSec === null) {
    return 'A span of time needs a video: send the video (or ask about it again) first.';
  }
  const duration = media.durationSec;
  if (!(s.end > s.start)) return `The span ${seconds(s.start)} to ${seconds(s.end)} is empty: the end must come after the start.`;
  if (!(s.start < duration)) return `The span starts at ${seconds(s.start)}, after the end of the video (${seconds(duration)}).`;
  const clipped = { start: s.start, end: Math.min(duration, s.end) };
  return { kind: 'span', span: secondsToSpan(clipped, duration), seconds: clipped };
}

function noun(region: Region, media: readonly MediaContext[]): string {
  const on = media.find((m) => m.id === region.mediaId);
  return on === undefined ? 'media' : `${on.kind} ${on.id}`;
}

function pixelsOf(region: Region, media: MediaContext | undefined): PixelBox | null {
  if (region.kind !== 'box') return null;
  if (region.pixels !== null) return region.pixels;
  return media?.size ? modelBoxToPixels(region.box, media.size) : null;
}

/**
 * Resolve the references of `text` against what this conversation has shown: an earlier media named in
 * words ("the first image", media-references), made current for the rest; words for regions shown on
 * that media ("the left one", "zoom into the heart"), written as numbers first (word-references); and
 * numbers ("box 2", "zoom into 1").
 */
export function resolveReferences(asked: string, record: ConversationRecord, settings: ResolveSettings): ReferenceResolution {
  // "the first image", "video 2": that media, and the rest of the question about it
  const mediaRef = findMediaReference(asked, record);
  if (mediaRef.status === 'unclear') return { status: 'invalid', intent: null, message: mediaRef.message };
  const switched = mediaRef.status === 'named' ? mediaRef.media : null;
  const view = switched === null ? record : { ...record, activeMediaId: switched.id };
  const words = resolveWordReferences(mediaRef.status === 'named' ? mediaRef.text : asked, view);
  if (words.status === 'unclear') return { status: 'invalid', intent: null, message: words.message };
  const named = words.status === 'named' ? words.named : [];
  const text = words.status === 'named' ? words.text : mediaRef.status === 'named' ? mediaRef.text : asked;
  const drawnPhrases = findDrawnRegions(text);
  const intent = parseReferences(text);
  if (intent === null) {
    if (drawnPhrases.length > 0) return resolveDrawn(text, view, drawnPhrases, named, switched);
    if (switched === null) return { status: 'none' };
    return {
      status: 'resolved', kind: 'ask-media', intent: null, regions: [], mediaId: switched.id,
      question: capitalise(text), crop: null, clip: null, drawn: [], named, switched,
    };
  }
  const byNumber = new Map(record.regions.map((region) => [region.number, region] as const));

  const missing = intent.refs.filter((n) => !byNumber.has(n));
  if (missing.length > 0) {
    const names = intent.phrases.flatMap((p) => p.items).filter((item) => missing.includes(item.number));
    const listed = [...new Set(names.map((item) => `${item.hint === 'region' ? 'region' : item.hint} ${item.number}`))];
    const lead = `I have no ${joinList(listed)} in this conversation.`;
    return { status: 'unknown', intent, missing, message: `${lead} ${describeRegions(record)}` };
  }

  const regions = intent.refs.map((n) => byNumber.get(n) as Region);
  for (const item of intent.phrases.flatMap((p) => p.items)) {
    const region = byNumber.get(item.number) as Region;
    if (item.hint !== 'region' && item.hint !== region.kind) {
      const message = `Number ${item.number} is a ${region.kind}${region.kind === 'span' ? ' of the video' : ''}, not a ${item.hint}: ${describeRegion(region)}. ${describeRegions(record)}`;
      return { status: 'invalid', intent, message };
    }
  }

  const mediaIds = [...new Set(regions.map((r) => r.mediaId))];
  if (mediaIds.length > 1) {
    const where = joinList(regions.map((r) => `${r.number} is on ${noun(r, record.media)}`));
    return {
      status: 'invalid',
      intent,
      message: `Those regions are on different media (${where}); I can only look at one at a time. Ask about the regions of one of them.`,
    };
  }
  const mediaId = mediaIds[0] ?? null;
  const media = record.media.find((m) => m.id === mediaId);
  const drawn: { phrase: DrawnPhrase; input: DrawnInput }[] = [];
  for (const phrase of drawnPhrases) {
    const input = drawnInput(phrase, media);
    if (typeof input === 'string') return { status: 'invalid', intent, message: input };
    drawn.push({ phrase, input });
  }

  // the media named in words, when the regions are on it (numbers name their own media)
  const switchedHere = switched?.id === mediaId ? switched : null;

  if (intent.kind === 'zoom') {
    // spans of a video: its stretch is sampled again, frames as close together as the model takes them
    const seconds = regions.map((r) => (r.kind === 'span' ? r.seconds : null));
    if (regions.every((r) => r.kind === 'span') && media?.kind === 'video' && media.durationSec !== null && !seconds.includes(null)) {
      const clip = zoomClip(unionSeconds(seconds as SecondSpan[]), media.durationSec, { margin: settings.zoomMargin, minSec: ZOOM_MIN_SECONDS });
      const question = intent.rest === '' ? ZOOM_CLIP_QUESTION : capitalise(intent.rest);
      return { status: 'resolved', kind: 'zoom', intent, regions, mediaId, question, crop: null, clip, drawn: drawn.map((d) => d.input), named, switched: switchedHere };
    }
    const boxes = regions.map((r) => pixelsOf(r, media));
    if (regions.some((r) => r.kind !== 'box') || media?.kind !== 'image' || media.size === null || boxes.includes(null)) {
      return { status: 'invalid', intent, message: 'I can zoom into boxes on an image or spans of a video, one kind at a time. ' + describeRegions(record) };
    }
    const crop = zoomCrop(unionPixelBox(boxes as PixelBox[]), media.size, { margin: settings.zoomMargin, minSize: settings.zoomMinSize });
    const question = intent.rest === '' ? settings.zoomQuestion : capitalise(intent.rest);
    return { status: 'resolved', kind: 'zoom', intent, regions, mediaId, question, crop, clip: null, drawn: drawn.map((d) => d.input), named, switched: switchedHere };
  }

  const kind: ReferenceKind =
    intent.kind === 'compare' ? 'compare' : regions.every((r) => r.kind === 'span') ? 'ask-span' : 'ask-region';
  return {
    status: 'resolved', kind, intent, regions, mediaId,
    question: rewrite(text, intent.phrases, byNumber, drawn), crop: null, clip: null, drawn: drawn.map((d) => d.input), named,
    switched: switchedHere,
  };
}

/** A question that points only at regions drawn by hand: they sit on the current media. */
function resolveDrawn(text: string, record: ConversationRecord, phrases: readonly DrawnPhrase[], named: NamedReference[], switched: MediaContext | null): ReferenceResolution {
  const media = record.media.find((m) => m.id === record.activeMediaId);
  const drawn: { phrase: DrawnPhrase; input: DrawnInput }[] = [];
  for (const phrase of phrases) {
    const input = drawnInput(phrase, media);
    if (typeof input === 'string') return { status: 'invalid', intent: null, message: input };
    drawn.push({ phrase, input });
  }
  return {
    status: 'resolved',
    kind: drawn.every((d) => d.input.kind === 'span') ? 'ask-span' : 'ask-region',
    intent: null,
    regions: [],
    mediaId: media?.id ?? null,
    question: rewrite(text, [], new Map(), drawn),
    crop: null,
    clip: null,
    drawn: drawn.map((d) => d.input),
    named,
    switched,
  };
}
