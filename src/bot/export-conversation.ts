import type { BoxRegion, ConversationRecord, MediaContext, Region, SpanRegion, StoredTurn } from '../conversation/record';
import { parseGrounding } from '../grounding/parse-grounding';
import type { ReplyFile } from './types';

/** How the export gets a picture of an answer's regions (the bot renders them; a failure costs only the picture). */
export interface ExportPictures {
  boxes(media: MediaContext, regions: readonly BoxRegion[]): Promise<ReplyFile | undefined>;
  timeline(media: MediaContext, regions: readonly SpanRegion[]): Promise<ReplyFile | undefined>;
}

export interface ConversationExport {
  markdown: string;
  /** conversation.md first, then the pictures it links to (same folder) */
  files: ReplyFile[];
}

const SAME = 0.0015;

function px(value: number): string {
  return String(Math.round(value));
}

function seconds(value: number): string {
  return `${value.toFixed(1)} s`;
}

function describe(region: Region): string {
  const label = region.label === null ? '' : ` ${region.label}`;
  const drawn = region.drawn === true ? ' (drawn by you)' : '';
  if (region.kind === 'box') {
    const where = region.pixels === null ? '' : ` — x ${px(region.pixels.x1)}–${px(region.pixels.x2)}, y ${px(region.pixels.y1)}–${px(region.pixels.y2)} px`;
    return `- **[${region.number}]** box${label}${drawn}${where}`;
  }
  const when = region.seconds === null ? '' : ` — ${seconds(region.seconds.start)} to ${seconds(region.seconds.end)}`;
  return `- **[${region.number}]** span${label}${drawn}${when}`;
}

/** The model's answer with its LEGO coordinates replaced by the region numbers the chat showed. */
function numbered(turn: StoredTurn, regions: readonly Region[]): string {
  const matches = parseGrounding(turn.text);
  const shown = turn.regions.map((n) => regions.find((r) => r.number === n)).filter((r): r is Region => r !== undefined);
  let out = '';
  let at = 0;
  matches.forEach((match, i) => {
    const same = turn.crop === null
      ? shown.find((r) =>
          match.kind === 'box'
            ? r.kind === 'box' && Math.abs(r.box.x1 - match.box.x1) < SAME && Math.abs(r.box.y1 - match.box.y1) < SAME &&
              Math.abs(r.box.x2 - match.box.x2) < SAME && Math.abs(r.box.y2 - match.box.y2) < SAME
            : r.kind === 'span' && Math.abs(r.span.start - match.span.start) < 0.005 && Math.abs(r.span.end - match.span.end) < 0.005)
      : undefined;
    const number = same?.number ?? turn.regions[i];
    if (number === undefined) return;
    out += `${turn.text.slice(at, match.offset)}[${number}]`;
    at = match.offset + match.raw.length;
  });
  return (out + turn.text.slice(at)).trim();
}

function quote(text: string): string {
  return text.split('\n').map((line) => line.trimEnd()).join('  \n');
}

function mediaTitle(media: MediaContext): string {
  const kind = media.kind === 'image' ? 'Image' : media.kind === 'video' ? 'Video' : 'Sound';
  const name = media.name === null ? '' : `: ${media.name}`;
  const size = media.size === null ? '' : ` (${media.size.width}×${media.size.height}${media.durationSec === null ? '' : `, ${seconds(media.durationSec)}`})`;
  return `${kind} ${media.id}${name}${size}`;
}

/**
 * The conversation as Markdown, with a picture of each answer's regions (boxes drawn on the image,
 * spans on a timeline) next to it: `conversation.md` links `turn-<id>-boxes.png`. Regions keep the
 * numbers the chat used; answers are shown as the chat showed them (coordinates → [n]).
 */
export async function exportConversation(record: ConversationRecord, pictures: ExportPictures, now: Date = new Date()): Promise<ConversationExport> {
  const lines: string[] = ['# Conversation with LEGO bot', ''];
  const questions = record.turns.filter((t) => t.role === 'user').length;
  lines.push(`Exported ${now.toISOString().replace('T', ' ').slice(0, 16)} UTC · ${questions} question${questions === 1 ? '' : 's'} · regions are numbered as in the chat.`, '');
  if (record.droppedTurns > 0) lines.push(`_${record.droppedTurns} earlier turns had already been forgotten and are not included._`, '');
  if (record.turns.length === 0) lines.push('_Nothing has been said in this conversation yet._', '');
  const files: ReplyFile[] = [];
  let mediaShown: number | null = null;
  let lastUser: StoredTurn | undefined;
  for (const turn of record.turns) {
    const media = record.media.find((m) => m.id === turn.mediaId);
    if (turn.mediaId !== mediaShown && media !== undefined) {
      lines.push(`## ${mediaTitle(media)}`, '');
      mediaShown = turn.mediaId;
    }
    if (turn.role === 'user') {
      lastUser = turn;
      lines.push(`**You:** ${quote(turn.text)}`, '');
      continue;
    }
    lines.push(`**LEGO bot:** ${quote(numbered(turn, record.regions))}`, '');
    // the answer's regions, and those the person drew in the question it answers
    const drawn = record.regions.filter((r) => r.drawn === true && lastUser !== undefined && r.turnId === lastUser.id);
    const regions = [...drawn, ...turn.regions.map((n) => record.regions.find((r) => r.number === n)).filter((r): r is Region => r !== undefined)]
      .filter((r, i, all) => all.findIndex((o) => o.number === r.number) === i);
    if (regions.length === 0) continue;
    const boxes = regions.filter((r): r is BoxRegion => r.kind === 'box');
    const spans = regions.filter((r): r is SpanRegion => r.kind === 'span');
    let picture: ReplyFile | undefined;
    if (media?.kind === 'image' && boxes.length > 0) picture = await pictures.boxes(media, boxes);
    else if (media?.kind === 'video' && spans.length > 0) picture = await pictures.timeline(media, spans);
    if (picture !== undefined) {
      const extension = picture.name.split('.').pop() ?? 'png';
      const name = `turn-${turn.id}-${media?.kind === 'video' ? 'timeline' : 'boxes'}.${extension}`;
      files.push({ ...picture, name, kind: 'export' });
      const alt = `Answer ${turn.id}: ${media?.kind === 'video' ? 'spans' : 'boxes'} ${regions.map((r) => r.number).join(', ')}`;
      lines.push(`![${alt}](${name})`, '');
    }
    lines.push(...regions.map(describe), '');
  }
  const markdown = `${lines.join('\n').trimEnd()}\n`;
  return {
    markdown,
    files: [
      { name: 'conversation.md', contentType: 'text/markdown; charset=utf-8', data: Buffer.from(markdown, 'utf8'), description: 'This conversation as Markdown', kind: 'export' },
      ...files,
    ],
  };
}
