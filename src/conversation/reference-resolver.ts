import type { PixelBox } from '../grounding/types';
import { describeRegion, describeRegions } from './memory-summary';
import { modelBoxToPixels } from '../grounding/coordinate-frames';
import { formatBox, formatSpan } from '../grounding/lego-format';
import type { ConversationRecord, CropRect, MediaContext, Region } from './record';
import { parseReferences } from './reference-parser';
import type { ReferenceIntent, ReferenceKind, ReferencePhrase } from './reference-parser';
import { unionPixelBox, zoomCrop } from './zoom';

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
 * - `none`: no numbered references; ask the model the text as it is (words like "the left one"
 *   included — the model has the conversation for context);
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
      kind: ReferenceKind;
      intent: ReferenceIntent;
      regions: Region[];
      /** the media context the regions are on (null: regions shown without media) */
      mediaId: number | null;
      /** what to send to the model (model frame) */
      question: string;
      /** zoom only: the rectangle of the full image to crop and ask `question` on */
      crop: CropRect | null;
    }
  | { status: 'unknown'; intent: ReferenceIntent; missing: number[]; message: string }
  | { status: 'invalid'; intent: ReferenceIntent; message: string };

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

function rewrite(text: string, phrases: readonly ReferencePhrase[], byNumber: ReadonlyMap<number, Region>): string {
  let out = '';
  let at = 0;
  for (const phrase of phrases) {
    const list = joinList(phrase.items.map((item) => regionSyntax(byNumber.get(item.number) as Region)));
    out += text.slice(at, phrase.start) + (phrase.role === 'compare' ? `compare ${list}` : list);
    at = phrase.end;
  }
  return capitalise((out + text.slice(at)).trim());
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

/** Resolve the numbered references of `text` against the regions this conversation has shown. */
export function resolveReferences(text: string, record: ConversationRecord, settings: ResolveSettings): ReferenceResolution {
  const intent = parseReferences(text);
  if (intent === null) return { status: 'none' };
  const byNumber = new Map(record.regions.map((region) => [region.number, region] as const));

  const missing = intent.refs.filter((n) => !byNumber.has(n));
  if (missing.length > 0) {
    const names = intent.phrases.flatMap((p) => p.items).filter((item) => missing.includes(item.number));
    const named = [...new Set(names.map((item) => `${item.hint === 'region' ? 'region' : item.hint} ${item.number}`))];
    const lead = `I have no ${joinList(named)} in this conversation.`;
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

  if (intent.kind === 'zoom') {
    const boxes = regions.map((r) => pixelsOf(r, media));
    if (regions.some((r) => r.kind !== 'box') || media?.kind !== 'image' || media.size === null || boxes.includes(null)) {
      return { status: 'invalid', intent, message: 'I can only zoom into boxes on an image. ' + describeRegions(record) };
    }
    const crop = zoomCrop(unionPixelBox(boxes as PixelBox[]), media.size, { margin: settings.zoomMargin, minSize: settings.zoomMinSize });
    const question = intent.rest === '' ? settings.zoomQuestion : capitalise(intent.rest);
    return { status: 'resolved', kind: 'zoom', intent, regions, mediaId, question, crop };
  }

  const kind: ReferenceKind =
    intent.kind === 'compare' ? 'compare' : regions.every((r) => r.kind === 'span') ? 'ask-span' : 'ask-region';
  return { status: 'resolved', kind, intent, regions, mediaId, question: rewrite(text, intent.phrases, byNumber), crop: null };
}
