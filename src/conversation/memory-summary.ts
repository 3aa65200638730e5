import type { ConversationRecord, MediaContext, Region } from './record';

/**
 * Short, chat-ready descriptions of what a conversation remembers: used by the "regions" / "what do
 * you remember" command and by the answer to a reference that does not exist ("box 9").
 */

const MAX_LISTED = 20;

function seconds(value: number): string {
  return `${value.toFixed(1)} s`;
}

/** "2.0–4.5 s" */
function secondsRange(span: { start: number; end: number }): string {
  return `${span.start.toFixed(1)}–${seconds(span.end)}`;
}

/** What a zoom into a span looked at, for the reply: "I looked again at 0.8–2.3 s of the video." */
export function describeStretch(clip: { start: number; end: number }): string {
  return `I looked again at ${secondsRange(clip)} of the video.`;
}

function mediaName(media: MediaContext): string {
  return `${media.kind} ${media.id}`;
}

/** "box 1 (red star)", "span 3 (2.0–4.5 s)", "box 2" */
export function describeRegion(region: Region): string {
  const details: string[] = [];
  if (region.label !== null && region.label.trim() !== '') details.push(region.label.trim());
  if (region.drawn === true) details.push('drawn by you');
  if (region.kind === 'span' && region.seconds !== null) {
    details.push(secondsRange(region.seconds));
  }
  const name = `${region.kind} ${region.number}`;
  return details.length === 0 ? name : `${name} (${details.join(', ')})`;
}

/** One sentence listing the regions there are (the most recent ones when there are many). */
export function describeRegions(record: ConversationRecord): string {
  if (record.regions.length === 0) return 'I have not marked any regions in this conversation yet.';
  const several = new Set(record.regions.map((r) => r.mediaId)).size > 1;
  const listed = record.regions.slice(-MAX_LISTED).map((region) => {
    const media = record.media.find((m) => m.id === region.mediaId);
    return several && media !== undefined ? `${describeRegion(region)} on ${mediaName(media)}` : describeRegion(region);
  });
  const more = record.regions.length - listed.length;
  const prefix = more > 0 ? `Regions I remember (the latest ${listed.length} of ${record.regions.length}): ` : 'Regions I remember: ';
  return `${prefix}${listed.join(', ')}.`;
}

function describeMedia(media: MediaContext, record: ConversationRecord): string {
  const facts: string[] = [];
  if (media.name !== null) facts.push(media.name);
  if (media.size !== null) facts.push(`${media.size.width}×${media.size.height}`);
  if (media.durationSec !== null) facts.push(seconds(media.durationSec));
  if (media.sound !== null) facts.push(`with the sound ${media.sound.name ?? media.sound.mime}${media.sound.durationSec === null ? '' : ` (${seconds(media.sound.durationSec)})`}`);
  const questions = record.turns.filter((t) => t.role === 'user' && t.mediaId === media.id).length;
  facts.push(`${questions} question${questions === 1 ? '' : 's'}`);
  const active = record.activeMediaId === media.id ? ' (current)' : '';
  return `• ${mediaName(media)}${active}: ${facts.join(', ')}`;
}

/** What the conversation remembers: its media, its numbered regions, and how to refer to them. */
export function describeMemory(record: ConversationRecord): string {
  if (record.media.length === 0 && record.regions.length === 0 && record.turns.length === 0) {
    return 'I do not remember anything in this conversation yet. Send an image or a video and ask me about it.';
  }
  const lines = ['Here is what I remember in this conversation:'];
  for (const media of record.media) lines.push(describeMedia(media, record));
  if (record.media.length === 0) lines.push(`• ${record.turns.filter((t) => t.role === 'user').length} questions without media`);
  lines.push(describeRegions(record));
  if (record.regions.length > 0) lines.push('Ask about a region by its number, e.g. “what is in box 1?”, “zoom into 1” or “compare 1 and 2”, or in words about the latest answer: “the left one”, “zoom into the heart”.');
  if (record.droppedTurns > 0) lines.push(`(I have forgotten the ${record.droppedTurns} oldest turns.)`);
  return lines.join('\n');
}
