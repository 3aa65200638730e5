import type { GroundingSyntaxChoice } from '../../grounding/syntaxes/syntax-registry';
import type { ModelBox, ModelSpan } from '../../grounding/types';
import type { SourceImageSpec, SourceVideoSpec } from '../types';

/** The model families a remote engine knows how to talk to (src/engine/remote/profile-table.ts). */
export const REMOTE_PROFILE_NAMES = [
  'lego',
  'qwen2.5-vl',
  'qwen3-vl',
  'qwen2.5-omni',
  'qwen3-omni',
  'gemini',
  'florence-2',
  'kosmos-2',
  'shikra',
  'ferret',
  'qwen-vl',
  'qwen2-vl',
  'minigpt-v2',
  'timechat',
  'vtimellm',
] as const;

export type RemoteProfileName = (typeof REMOTE_PROFILE_NAMES)[number];

/** What a question asks for: a place (boxes), a time (spans), or neither. */
export type QuestionKind = 'where' | 'when' | 'other';

/** What a prompt or region writer knows about the media being sent. */
export interface SentMediaInfo {
  kind: 'image' | 'video';
  /** the image (or frame) as the model receives it */
  width: number;
  height: number;
  /** the real clip's duration, seconds (videos) */
  durationSec?: number;
}

/**
 * One model family as a remote engine sees it: how media are sent, the words that make it ground, how
 * its answers are read and in what frame, and how a region the user points at is written for it.
 *
 * Frames: a profile that sends the source image (`image` is a budget) reads boxes as fractions of the
 * image as sent — the displayed image, since the aspect ratio is kept — whatever the syntax; `lego`
 * sends LEGO's padded square, so its boxes are fractions of the padded square.
 */
export interface RemoteProfile {
  readonly name: RemoteProfileName;
  /** one line for logs and docs */
  readonly summary: string;
  /** LEGO's padded square (the engine's tensor, losslessly), or the oriented source at this budget */
  readonly image: 'padded-square' | SourceImageSpec;
  /** LEGO's padded frames, the clip / timed frames at a budget, or null: this family takes no video */
  readonly video: 'padded-frames' | SourceVideoSpec | null;
  /**
   * whether the family hears sounds (an OpenAI `input_audio` part, a 16-bit WAV): `if-served` = when the
   * server's own media settings (`lego serve`'s /v1/models) name an audio encoder
   */
  readonly audio: boolean | 'if-served';
  /** the syntaxes its answers are read in (boxes and times) */
  readonly syntax: GroundingSyntaxChoice;
  /** the question as sent: the user's words plus what makes this family ground (boxes for where, spans for when) */
  prompt(question: string, kind: QuestionKind, media: SentMediaInfo | undefined): string;
  /** a box the user refers to (fractions of the image as sent) in this family's own region syntax */
  region(box: ModelBox, media: SentMediaInfo): string;
  /** a span the user refers to (fractions of the clip) in this family's own time syntax */
  span(span: ModelSpan, media: SentMediaInfo): string;
  /** a video frame's caption when videos go as timed frames */
  frameLabel?(seconds: number): string;
}

const WHERE = /\b(where|locate|find|point (?:to|at|out)|show me|highlight|detect|outline|bounding box(?:es)?|draw (?:a )?box(?:es)?|box (?:around|each|every|the|all)|which (?:one|object|part|side))\b/i;
const WHEN = /\b(when|what time|at what (?:time|point|moment|second)|which (?:moment|second|part of the (?:video|clip))|how long|timestamps?|during which)\b/i;

/**
 * What a question asks of the media: boxes (a where-question about an image), a span (a when-question
 * about a video), or neither — then the family is asked nothing special (a question about box 1's
 * colour is not a request for boxes).
 */
export function questionKind(question: string, media: 'image' | 'video' | undefined): QuestionKind {
  if (media === 'image' && WHERE.test(question)) return 'where';
  if (media === 'video' && WHEN.test(question)) return 'when';
  return 'other';
}

/** `round(v·scale)` clamped to [0, max]. */
export function scaled(v: number, scale: number, max = scale): number {
  return Math.min(max, Math.max(0, Math.round(v * scale)));
}

/** Seconds with one decimal. */
export function seconds(v: number): string {
  return (Math.round(v * 10) / 10).toFixed(1);
}

/** `mm:ss` (or `h:mm:ss`) of whole seconds. */
export function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${two(m)}:${two(s % 60)}`;
}

/** `mm:ss`, with tenths when the time is not whole (`00:03.5`): a frame's caption. */
export function clockTenths(totalSeconds: number): string {
  const tenths = Math.round(totalSeconds * 10) / 10;
  const whole = Math.floor(tenths);
  const rest = Math.round((tenths - whole) * 10);
  return rest === 0 ? clock(whole) : `${clock(whole)}.${rest}`;
}

/** A span as seconds of the real clip: `from 3.0 to 9.0 seconds`. */
export function secondsSpan(span: ModelSpan, media: SentMediaInfo): string {
  const d = media.durationSec ?? 0;
  return `from ${seconds(span.start * d)} to ${seconds(span.end * d)} seconds`;
}

/** The words of a where-question that name the thing ("where is the red circle?" → "the red circle"). */
export function soughtPhrase(question: string): string {
  const m = /\b(?:where(?:'s| is| are)?|locate|find|point (?:to|at|out)|show me|highlight|detect)\s+(.+?)[?.!]*\s*$/i.exec(question.trim());
  return (m?.[1] ?? question).replace(/[?.!]+$/, '').trim();
}
