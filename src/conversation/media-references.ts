/**
 * An earlier image, video or sound of the conversation named in words: "image 1", "video 2" (as the
 * bot's "regions" answer lists them), "the first image", "the last video", "the previous photo", "the
 * other picture", or "the video" while an image is current and the conversation has one video. The
 * question is then asked about that media (its context made current again), with the words written as
 * "this image" for the model, which sees one media at a time.
 */

import type { ConversationRecord, MediaContext } from './record';

export type MediaReference =
  | { status: 'none' }
  /** `text` with the words written as "this image"/"this video"/"this sound" */
  | { status: 'named'; media: MediaContext; words: string; text: string }
  /** the words name no media there is, or one of several: `message` says which there are */
  | { status: 'unclear'; message: string };

type Kind = MediaContext['kind'];

const NOUNS: Record<string, Kind> = {
  image: 'image', photo: 'image', picture: 'image', pic: 'image', screenshot: 'image',
  video: 'video', clip: 'video', movie: 'video',
  sound: 'audio', recording: 'audio',
};
const NOUN = Object.keys(NOUNS).join('|');
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];

/** every phrase needs one of the nouns (a cheap test before the patterns: see reference-parser) */
const MAY_NAME = new RegExp(`\\b(?:${NOUN})`, 'i');
const NUMBERED = new RegExp(`\\b(${NOUN})\\s+(?:no\\.?\\s*|number\\s+|#\\s*)?(\\d{1,3})\\b`, 'i');
const ORDERED = new RegExp(`\\bthe\\s+(${ORDINALS.join('|')}|last|previous|earlier|older|other)\\s+(${NOUN})\\b`, 'i');
const PLAIN = new RegExp(`\\bthe\\s+(${NOUN})\\b`, 'i');

function spoken(kind: Kind): string {
  return kind === 'audio' ? 'sound' : kind;
}

function describe(media: MediaContext): string {
  return `${spoken(media.kind)} ${media.id}${media.name === null ? '' : ` (${media.name})`}`;
}

function list(record: ConversationRecord, kind: Kind): string {
  const of = record.media.filter((m) => m.kind === kind);
  if (of.length === 0) return `There is no ${spoken(kind)} in this conversation.`;
  return `The ${spoken(kind)}${of.length === 1 ? ' is' : 's are'} ${of.map(describe).join(', ')}.`;
}

function named(text: string, start: number, end: number, media: MediaContext): MediaReference {
  return { status: 'named', media, words: text.slice(start, end), text: `${text.slice(0, start)}this ${spoken(media.kind)}${text.slice(end)}` };
}

/** The earlier media `text` names in words, when it is not the current one. */
export function findMediaReference(text: string, record: ConversationRecord): MediaReference {
  if (record.media.length < 2 || !MAY_NAME.test(text)) return { status: 'none' };
  const active = record.activeMediaId;
  const numbered = NUMBERED.exec(text);
  if (numbered !== null) {
    const kind = NOUNS[numbered[1]!.toLowerCase()]!;
    const media = record.media.find((m) => m.id === Number(numbered[2]) && m.kind === kind);
    if (media === undefined) return { status: 'unclear', message: `I have no ${spoken(kind)} ${numbered[2]} in this conversation. ${list(record, kind)}` };
    if (media.id === active) return { status: 'none' };
    return named(text, numbered.index, numbered.index + numbered[0].length, media);
  }
  const ordered = ORDERED.exec(text);
  if (ordered !== null) {
    const which = ordered[1]!.toLowerCase();
    const kind = NOUNS[ordered[2]!.toLowerCase()]!;
    const of = record.media.filter((m) => m.kind === kind);
    let media: MediaContext | undefined;
    if (which === 'last') media = of[of.length - 1];
    else if (which === 'other') {
      const others = of.filter((m) => m.id !== active);
      if (others.length > 1) return { status: 'unclear', message: `Which one? ${list(record, kind)} Say it with its number, e.g. “${spoken(kind)} ${others[0]!.id}”.` };
      media = others[0];
    } else if (['previous', 'earlier', 'older'].includes(which)) media = of.filter((m) => active === null || m.id < active).at(-1);
    else media = of[ORDINALS.indexOf(which)];
    if (media === undefined) return { status: 'unclear', message: `I have no ${which} ${spoken(kind)} in this conversation. ${list(record, kind)}` };
    if (media.id === active) return { status: 'none' };
    return named(text, ordered.index, ordered.index + ordered[0].length, media);
  }
  const plain = PLAIN.exec(text);
  if (plain !== null) {
    // "the video" while an image is current: the conversation's one video
    const kind = NOUNS[plain[1]!.toLowerCase()]!;
    const current = record.media.find((m) => m.id === active);
    const of = record.media.filter((m) => m.kind === kind);
    if (current?.kind === kind || of.length !== 1) return { status: 'none' };
    // "the sound" of an image sent with its sound is that image's
    if (kind === 'audio' && current?.sound !== null && current?.sound !== undefined) return { status: 'none' };
    return named(text, plain.index, plain.index + plain[0].length, of[0]!);
  }
  return { status: 'none' };
}

/** For the reply: "I looked at image 1 (three-shapes.png) again." */
export function describeSwitch(media: MediaContext): string {
  return `I looked at ${describe(media)} again.`;
}
