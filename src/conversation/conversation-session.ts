import type { GroundedBox, GroundedSpan } from '../engine/types';
import type { ImageSize, ModelBox } from '../grounding/types';
import type { LegoError } from '../errors';
import { describeMemory } from './memory-summary';
import { modelBoxToPixels, spanToSeconds } from '../grounding/coordinate-frames';
import { createConversationRecord } from './record';
import type { Clip, ConversationRecord, CropRect, MediaContext, MediaSound, MediaSource, Region, StoredTurn } from './record';
import { resolveReferences } from './reference-resolver';
import type { DrawnInput, ReferenceResolution, ResolveSettings } from './reference-resolver';
import { selectRequestTurns } from './request-turns';
import type { RequestTurns, TokenBudget } from './request-turns';
import { applyRetention } from './retention-policy';
import type { RetentionLimits } from './retention-policy';
import { clipSpanToVideo, cropBoxToImage } from './zoom';

export type SessionSettings = RetentionLimits & TokenBudget & ResolveSettings;

export interface NewMedia {
  kind: MediaContext['kind'];
  /** sha256 of the bytes, hex (see contentHash) */
  hash: string;
  mime: string;
  size: ImageSize | null;
  durationSec: number | null;
  source: MediaSource;
  name?: string | null;
  /** a sound sent with the image: one media context with both */
  sound?: MediaSound | null;
}

export interface UserTurnInput {
  text: string;
  /** the text for the model when it differs from `text` (references rewritten) */
  prompt?: string | null;
  /** asked on this crop of the media (zoom) */
  crop?: CropRect | null;
  /** asked on this stretch of the video (zoom into a span) */
  clip?: Clip | null;
  /** defaults to the current media context */
  mediaId?: number | null;
}

export interface AnswerInput {
  /** the model's whole answer, as written (frame of the image it was asked on) */
  text: string;
  /** the regions as found (where they sit in the text is the caller's business) */
  boxes?: readonly Omit<GroundedBox, 'start' | 'end' | 'shown'>[];
  spans?: readonly Omit<GroundedSpan, 'start' | 'end' | 'shown'>[];
}

/**
 * What `beginTurn` decided:
 * - `reply`: answer `text` directly (a reference to a region that does not exist…); nothing stored;
 * - `ask`: the question was stored; send `request.turns` with `media` (or, when `crop` is set, with
 *   that crop of `media`; when `clip` is set, with that stretch of the video) to the engine, then call
 *   `addAnswer`.
 */
export type TurnPlan =
  | { type: 'reply'; text: string; resolution: ReferenceResolution }
  | {
      type: 'ask';
      turn: StoredTurn;
      media: MediaContext | undefined;
      crop: CropRect | null;
      clip: Clip | null;
      request: RequestTurns;
      resolution: ReferenceResolution;
      /** the regions the person drew by hand in this question, numbered (also in the record) */
      drawn: Region[];
    };

/** Boxes closer than this (model frame) are the same region shown again and keep their number. */
const SAME_BOX = 0.0015;

function sameBox(a: ModelBox, b: ModelBox): boolean {
  return Math.abs(a.x1 - b.x1) < SAME_BOX && Math.abs(a.y1 - b.y1) < SAME_BOX &&
    Math.abs(a.x2 - b.x2) < SAME_BOX && Math.abs(a.y2 - b.y2) < SAME_BOX;
}

function cleanLabel(label: string | undefined): string | null {
  const text = label?.trim();
  return text === undefined || text === '' ? null : text;
}

/**
 * One conversation while a turn is being handled (under its lease): read it, add media, questions and
 * answers. Nothing is written until the manager saves it when the handler returns; every change marks
 * the session `changed`. Not shared between turns: the manager makes a new one each time.
 */
export class ConversationSession {
  readonly key: string;
  /** problems met while loading (e.g. a corrupted record that was replaced by a fresh one) */
  readonly notices: readonly LegoError[];
  /** aborted when the conversation's lease is lost (or the caller's signal aborts) */
  readonly signal: AbortSignal;
  #record: ConversationRecord;
  #changed = false;
  readonly #settings: SessionSettings;
  readonly #now: () => number;

  constructor(
    record: ConversationRecord,
    settings: SessionSettings,
    options: { now?: () => number; notices?: readonly LegoError[]; signal?: AbortSignal } = {},
  ) {
    this.key = record.key;
    this.#record = structuredClone(record);
    this.#settings = settings;
    this.#now = options.now ?? Date.now;
    this.notices = options.notices ?? [];
    this.signal = options.signal ?? new AbortController().signal;
  }

  /** The conversation as it stands (do not modify; use the methods). */
  get record(): Readonly<ConversationRecord> {
    return this.#record;
  }

  get changed(): boolean {
    return this.#changed;
  }

  get activeMedia(): MediaContext | undefined {
    return this.media(this.#record.activeMediaId);
  }

  media(id: number | null): MediaContext | undefined {
    return id === null ? undefined : this.#record.media.find((m) => m.id === id);
  }

  region(number: number): Region | undefined {
    return this.#record.regions.find((r) => r.number === number);
  }

  /** Mark changed without changing anything (forces a save, e.g. to refresh the idle TTL). */
  touch(): void {
    this.#changed = true;
  }

  /**
   * A new media starts a new media context and makes it current; earlier turns and regions stay.
   * The same bytes (same hash) sent again reopen their earlier context (with the new source).
   */
  addMedia(input: NewMedia): MediaContext {
    if (!/^[0-9a-f]{64}$/.test(input.hash)) throw new RangeError('media hash must be a sha256 in lowercase hex');
    this.#changed = true;
    const soundHash = input.sound?.hash ?? null;
    const existing = this.#record.media.find((m) => m.hash === input.hash && m.kind === input.kind && (m.sound?.hash ?? null) === soundHash);
    if (existing !== undefined) {
      existing.source = input.source;
      existing.name = input.name ?? existing.name;
      if (input.sound) existing.sound = input.sound;
      this.#record.activeMediaId = existing.id;
      return existing;
    }
    const media: MediaContext = {
      id: this.#record.nextMediaId,
      kind: input.kind,
      hash: input.hash,
      mime: input.mime,
      size: input.size,
      durationSec: input.durationSec,
      source: input.source,
      name: input.name ?? null,
      sound: input.sound ?? null,
      addedAt: this.#now(),
    };
    this.#record.nextMediaId += 1;
    this.#record.media.push(media);
    this.#record.activeMediaId = media.id;
    return media;
  }

  /** Make an earlier media context current again (e.g. a question about one of its regions). */
  activateMedia(id: number): MediaContext {
    const media = this.media(id);
    if (media === undefined) throw new RangeError(`no media context ${id}`);
    if (this.#record.activeMediaId !== id) {
      this.#record.activeMediaId = id;
      this.#changed = true;
    }
    return media;
  }

  /** Resolve "box 2", "zoom into 1"… against this conversation's regions (see resolveReferences). */
  resolve(text: string): ReferenceResolution {
    return resolveReferences(text, this.#record, this.#settings);
  }

  addUserTurn(input: UserTurnInput): StoredTurn {
    const turn: StoredTurn = {
      id: this.#record.nextTurnId,
      role: 'user',
      text: input.text,
      prompt: input.prompt ?? null,
      mediaId: input.mediaId === undefined ? this.#record.activeMediaId : input.mediaId,
      crop: input.crop ?? null,
      clip: input.clip ?? null,
      regions: [],
      at: this.#now(),
    };
    this.#record.nextTurnId += 1;
    this.#record.turns.push(turn);
    this.#changed = true;
    return turn;
  }

  /**
   * Resolve the question's references, switch to the media they are on, store the question (with its
   * rewritten prompt) and say what to ask the engine. Unknown or impossible references give a `reply`
   * and store nothing.
   */
  beginTurn(text: string): TurnPlan {
    const resolution = this.resolve(text);
    if (resolution.status === 'unknown' || resolution.status === 'invalid') {
      return { type: 'reply', text: resolution.message, resolution };
    }
    let prompt: string | null = null;
    let crop: CropRect | null = null;
    let clip: Clip | null = null;
    if (resolution.status === 'resolved') {
      if (resolution.mediaId !== null) this.activateMedia(resolution.mediaId);
      prompt = resolution.question;
      crop = resolution.crop;
      clip = resolution.clip;
    }
    const turn = this.addUserTurn({ text, prompt, crop, clip });
    const drawn = resolution.status === 'resolved' ? resolution.drawn.map((input, i) => this.#addDrawn(input, turn, i + 1)) : [];
    return { type: 'ask', turn, media: this.activeMedia, crop, clip, request: this.requestTurns(), resolution, drawn };
  }

  /** A region drawn by hand gets the next number (or keeps the one of the same region shown before). */
  #addDrawn(input: DrawnInput, turn: StoredTurn, index: number): Region {
    const mediaId = turn.mediaId;
    const again = this.#record.regions.find((r) =>
      r.mediaId === mediaId && (input.kind === 'box'
        ? r.kind === 'box' && sameBox(r.box, input.box)
        : r.kind === 'span' && Math.abs(r.span.start - input.span.start) < 0.005 && Math.abs(r.span.end - input.span.end) < 0.005));
    if (again !== undefined) return again;
    const common = { number: this.#record.nextRegionNumber, label: null, mediaId, turnId: turn.id, answerIndex: index, drawn: true };
    const region: Region = input.kind === 'box'
      ? { kind: 'box', ...common, box: input.box, pixels: input.pixels }
      : { kind: 'span', ...common, span: input.span, seconds: input.seconds };
    this.#record.nextRegionNumber += 1;
    this.#record.regions.push(region);
    this.#changed = true;
    return region;
  }

  /** The turns to send for the last question (see selectRequestTurns). */
  requestTurns(): RequestTurns {
    return selectRequestTurns(this.#record.turns, this.#settings);
  }

  /**
   * Store the model's answer to the last question and number the boxes and spans it showed. Boxes of
   * an answer asked on a crop are mapped onto the full image first. A box already shown on the same
   * media keeps its number. Returns the regions of this answer, in order, for the renderer's legend.
   */
  addAnswer(answer: AnswerInput): { turn: StoredTurn; regions: Region[] } {
    const question = this.#record.turns[this.#record.turns.length - 1];
    const mediaId = question?.role === 'user' ? question.mediaId : this.#record.activeMediaId;
    const crop = question?.role === 'user' ? question.crop : null;
    const clip = question?.role === 'user' ? question.clip : null;
    const media = this.media(mediaId);
    const turn: StoredTurn = {
      id: this.#record.nextTurnId,
      role: 'assistant',
      text: answer.text,
      prompt: null,
      mediaId,
      crop,
      clip,
      regions: [],
      at: this.#now(),
    };
    this.#record.nextTurnId += 1;
    const regions: Region[] = [];
    for (const grounded of answer.boxes ?? []) {
      let box = grounded.box;
      let pixels = grounded.pixels ?? null;
      if (crop !== null && media?.size) {
        ({ box, pixels } = cropBoxToImage(grounded.box, crop, media.size));
      } else if (pixels === null && media?.size) {
        pixels = modelBoxToPixels(box, media.size);
      }
      const again = this.#record.regions.find((r) => r.kind === 'box' && r.mediaId === mediaId && sameBox(r.box, box));
      if (again !== undefined) {
        regions.push(again);
        continue;
      }
      const region: Region = {
        kind: 'box', number: this.#record.nextRegionNumber, label: cleanLabel(grounded.label), mediaId,
        turnId: turn.id, answerIndex: grounded.index, drawn: false, box, pixels,
      };
      this.#record.nextRegionNumber += 1;
      this.#record.regions.push(region);
      regions.push(region);
    }
    for (const answered of answer.spans ?? []) {
      const duration = media?.durationSec ?? null;
      // an answer asked on a stretch of the video (zoom): its spans are fractions of the stretch
      const grounded = clip !== null && duration !== null ? { ...answered, ...clipSpanToVideo(answered.span, clip, duration) } : answered;
      const seconds = grounded.seconds ?? (duration === null ? null : spanToSeconds(grounded.span, duration));
      const again = this.#record.regions.find((r) => r.kind === 'span' && r.mediaId === mediaId &&
        Math.abs(r.span.start - grounded.span.start) < 0.005 && Math.abs(r.span.end - grounded.span.end) < 0.005);
      if (again !== undefined) {
        regions.push(again);
        continue;
      }
      const region: Region = {
        kind: 'span', number: this.#record.nextRegionNumber, label: cleanLabel(grounded.label), mediaId,
        turnId: turn.id, answerIndex: grounded.index, drawn: false, span: grounded.span, seconds,
      };
      this.#record.nextRegionNumber += 1;
      this.#record.regions.push(region);
      regions.push(region);
    }
    turn.regions = [...new Set(regions.map((r) => r.number))];
    this.#record.turns.push(turn);
    this.#changed = true;
    return { turn, regions };
  }

  /** Forget everything: media, turns, regions (numbering starts again at 1). */
  reset(): void {
    this.#record = createConversationRecord(this.key, this.#now(), this.#record.revision);
    this.#changed = true;
  }

  /** "What do you remember": media, numbered regions, how to refer to them. */
  describeMemory(): string {
    return describeMemory(this.#record);
  }

  /** The record to save: retention applied, revision bumped, updatedAt set. Used by the manager. */
  snapshot(): { record: ConversationRecord; droppedTurns: number } {
    const { record, droppedTurns } = applyRetention(this.#record, this.#settings);
    return { record: { ...record, revision: record.revision + 1, updatedAt: this.#now() }, droppedTurns };
  }
}
