import { performance } from 'node:perf_hooks';
import { LegoError } from '../errors';
import type { LegoErrorCode } from '../errors';
import type { LegoConfig } from '../config/schema';
import { parseCommand } from '../conversation/command';
import { contentHash } from '../conversation/content-hash';
import type { ConversationRuntime } from '../conversation/conversation-runtime';
import { createConversationRuntime } from '../conversation/conversation-runtime';
import type { ConversationSession } from '../conversation/conversation-session';
import { helpText } from '../conversation/help-text';
import type { BoxRegion, MediaContext, MediaSource, SpanRegion } from '../conversation/record';
import { describeSwitch } from '../conversation/media-references';
import { describeStretch } from '../conversation/memory-summary';
import { describeNamed } from '../conversation/word-references';
import { collectAnswer } from '../engine/collect-answer';
import { silentLogger } from '../engine/silent-logger';
import type { CollectedAnswer, FinishInfo, GenerateRequest, GenerationOptions, GroundedBox, GroundedSpan, GroundingEngine, PreparedMedia } from '../engine/types';
import type { Logger } from '../logger-type';
import { cropImage } from '../media/crop-image';
import type { MediaOptions } from '../media/options';
import { resolveMediaOptions } from '../media/options';
import { engineReads } from '../media/prepare-for-engine';
import { prepareImageFor } from '../media/source-media';
import type { FetchedMedia, LoadCall } from './media-loader';
import { MediaLoader } from './media-loader';
import { numberRegions } from './numbered-text';
import type { PreparedEntry } from './prepared-media-cache';
import { BotMetrics } from './bot-metrics';
import { exportConversation } from './export-conversation';
import { UserLimits } from './user-limits';
import { DEFAULT_LIMITS } from '../config/limits';
import { renderAnnotatedImage, renderVideoTimeline } from './render-reply';
import { replyPictureSize } from '../render/render-boxes';
import { errorReply, skippedReply, textReply } from './reply-parts';
import { soundNeedsText, soundQuestionNeeds } from './sound-question';
import type { BotHandler, IncomingAttachment, IncomingMessage, Reply, ReplyBox, ReplyFile, ReplyProgress, ReplySpan } from './types';

/** The sections of the configuration the pipeline reads. */
export type BotConfigSections = Pick<LegoConfig, 'engine' | 'media' | 'conversation' | 'render' | 'bot'> &
  Partial<Pick<LegoConfig, 'limits'>>;

export interface CreateBotOptions {
  config: BotConfigSections;
  engine: GroundingEngine;
  /** the conversation layer; default: one opened from `config.conversation` on first use (and closed by `close()`) */
  runtime?: ConversationRuntime;
  /** pino-shaped; default silent */
  logger?: Logger;
}

const RESET_TEXT = 'Done — I have forgotten this conversation. Send an image or a video to start again.';
const NEED_MEDIA_TEXT =
  'I need an image or a video to answer that: send one (with your question, or ask about it afterwards) and I will look at it.';
const EMPTY_TEXT = 'Send me an image or a short video and ask about it. Say “help” to see what I can do.';
/** Errors about what the person sent: logged at info (nothing for an operator to fix). */
const USER_CAUSED: ReadonlySet<LegoErrorCode> = new Set<LegoErrorCode>([
  'bad-input', 'unsupported-media', 'too-large', 'media-corrupt', 'download-refused', 'not-found', 'busy', 'aborted', 'limit-reached',
]);
const SAVE_FAILED_NOTICE = 'I could not save this turn to my memory just now; I kept it and will save it as soon as my memory is back.';

/** An answer that speaks of the sound ("the sound comes from…", "heard"). */
const SOUND_WORDS = /\b(sound|sounds|heard|hear|noise)\b/i;

function defaultQuestion(media: MediaContext): string {
  if (media.kind === 'audio') return 'What makes this sound?';
  if (media.kind === 'image' && media.sound !== null) return 'Where does this sound come from?';
  return media.kind === 'video' ? 'What happens in this video?' : 'What is in this image?';
}

/** An attachment the pipeline has fetched and prepared. */
interface Fetched {
  attachment: IncomingAttachment;
  fetched: FetchedMedia;
  hash: string;
  entry: PreparedEntry;
  source: MediaSource;
}

/** What goes with what in one message: an image with a sound, a sound with an image. */
const PARTNER: Partial<Record<FetchedMedia['kind'], FetchedMedia['kind']>> = { image: 'audio', audio: 'image' };

/** The kind an attachment says it is (the bytes decide in the end). */
function declaredKind(attachment: IncomingAttachment): FetchedMedia['kind'] | undefined {
  const type = attachment.contentType?.split('/')[0];
  return type === 'image' || type === 'video' || type === 'audio' ? type : undefined;
}

async function quietly(action: (() => void | Promise<void>) | undefined): Promise<void> {
  if (action === undefined) return;
  try {
    await action();
  } catch {
    // progress callbacks are best effort: a failed typing indicator must not fail the answer
  }
}

function sourceOf(attachment: IncomingMessage['attachments'][number], hash: string): MediaSource {
  if (attachment.localPath !== undefined) return { type: 'file', path: attachment.localPath };
  if (attachment.url !== undefined) return { type: 'url', url: attachment.url };
  return { type: 'blob', key: hash };
}

function unique<T extends { number: number }>(regions: readonly T[]): T[] {
  const seen = new Set<number>();
  return regions.filter((r) => (seen.has(r.number) ? false : (seen.add(r.number), true)));
}

type Answer = CollectedAnswer;

/**
 * The one pipeline every adapter uses: command or question → conversation (queued per conversation,
 * under its lease) → media (fetched, identified from the bytes, prepared, cached by content hash) →
 * region references resolved (zoom crops) → the engine, streamed → regions numbered and saved → pictures
 * rendered → a Reply whose text says `[1]`, `[2]` where the model wrote coordinates. Every failure
 * becomes a polite Reply with an error code; a failed turn saves nothing, so earlier turns are never lost.
 */
export class Bot implements BotHandler {
  readonly #config: BotConfigSections;
  readonly #mediaOptions: MediaOptions;
  readonly #engine: GroundingEngine;
  readonly #log: Logger;
  readonly #media: MediaLoader;
  readonly #ownsRuntime: boolean;
  readonly #limits: UserLimits;
  /** Prometheus metrics of this bot (per-user limits); the web adapter serves them at /metrics */
  readonly metrics: BotMetrics;
  #runtime: Promise<ConversationRuntime> | undefined;

  constructor(options: CreateBotOptions) {
    this.#config = options.config;
    this.#mediaOptions = resolveMediaOptions(options.config.media);
    this.#engine = options.engine;
    this.#log = options.logger ?? silentLogger;
    this.#ownsRuntime = options.runtime === undefined;
    this.#runtime = options.runtime === undefined ? undefined : Promise.resolve(options.runtime);
    const limits = options.config.limits ?? DEFAULT_LIMITS;
    this.metrics = new BotMetrics(limits);
    this.#limits = new UserLimits(limits, this.metrics);
    this.#media = new MediaLoader({
      spec: options.engine.media,
      options: this.#mediaOptions,
      fetchTimeoutMs: options.config.bot.fetchTimeoutMs,
      cacheEntries: options.config.bot.preparedCacheEntries,
      cacheBytes: options.config.bot.preparedCacheBytes,
      // an image is decoded once, at the size its annotated reply is sent at
      displaySize: (size) => replyPictureSize(size, { maxSide: options.config.render.maxSide, maxBytes: options.config.render.maxUploadBytes }),
    });
  }

  /** The conversation layer (opened on first use when none was given). */
  async runtime(): Promise<ConversationRuntime> {
    this.#runtime ??= createConversationRuntime(this.#config.conversation, {
      onStoreError: (error) => this.#log.warn({ err: error }, 'conversation store error'),
      onEvent: (event) => this.#log.info({ event: event.type, conversation: event.key }, 'conversation event'),
    });
    try {
      return await this.#runtime;
    } catch (error) {
      this.#runtime = undefined;
      throw error;
    }
  }

  async handle(message: IncomingMessage, progress: ReplyProgress = {}, signal?: AbortSignal): Promise<Reply> {
    const started = performance.now();
    const where = { platform: message.platform, conversation: message.conversationKey, messageId: message.messageId };
    const answered: { reply?: Reply } = {};
    try {
      await quietly(progress.typing?.bind(progress));
      const runtime = await this.runtime();
      const outcome = await runtime.turn(
        message.conversationKey,
        async (session) => {
          const reply = await this.#turn(session, message, progress, runtime);
          answered.reply = reply;
          return reply;
        },
        signal === undefined ? {} : { signal },
      );
      if (outcome.status !== 'done') {
        this.#log.info({ ...where, outcome: outcome.status }, 'message not answered (queue strategy)');
        return skippedReply(outcome.status);
      }
      const reply = outcome.value;
      this.#log.info(
        { ...where, ms: Math.round(performance.now() - started), boxes: reply.boxes.length, spans: reply.spans.length, files: reply.files.length },
        'answered',
      );
      return reply;
    } catch (thrown) {
      const error = LegoError.from(thrown);
      const ms = Math.round(performance.now() - started);
      if (answered.reply !== undefined && error.code === 'store-unavailable') {
        // The answer exists; only its save failed. The manager holds the record and writes it back later.
        this.#log.warn({ ...where, ms, code: error.code, err: error }, 'answered, but the conversation could not be saved');
        return { ...answered.reply, notices: [...answered.reply.notices, SAVE_FAILED_NOTICE] };
      }
      const details = { ...where, ms, code: error.code, retryable: error.retryable, err: error };
      if (error.code === 'internal' || error.code === 'engine-failed') this.#log.error(details, 'turn failed');
      else if (USER_CAUSED.has(error.code)) this.#log.info(details, 'turn refused (user input)');
      else this.#log.warn(details, 'turn failed');
      return errorReply(error);
    }
  }

  /** Start preparing an image that arrived before its question (see BotHandler.prepareAhead). */
  prepareAhead(attachment: IncomingAttachment): void {
    this.#media.prepareAhead(attachment);
  }

  /** Close the conversation layer when the bot opened it. The engine belongs to the caller. */
  async close(): Promise<void> {
    if (!this.#ownsRuntime || this.#runtime === undefined) return;
    const runtime = await this.#runtime.catch(() => undefined);
    this.#runtime = undefined;
    await runtime?.close();
  }

  async #turn(session: ConversationSession, message: IncomingMessage, progress: ReplyProgress, runtime: ConversationRuntime): Promise<Reply> {
    const notices = [...(message.notice === undefined ? [] : [message.notice]), ...session.notices.map((notice) => notice.userMessage)];
    const text = message.text.trim();
    if (message.attachments.length === 0) {
      const command = parseCommand(text);
      if (command !== null) {
        switch (command.name) {
          case 'reset':
            session.reset();
            return textReply(RESET_TEXT, notices);
          case 'regions':
            return textReply(session.describeMemory(), notices);
          case 'help':
            return textReply(helpText(), notices);
          case 'export':
            return this.#export(session, message, runtime, notices);
        }
      }
      if (text === '') return textReply(EMPTY_TEXT, notices);
    }

    await this.#limits.takeTurn(runtime.backend.counters, message);
    const call: LoadCall = { signal: session.signal, onStatus: (status) => void quietly(() => progress.status?.(status)) };
    const fresh = await this.#newMedia(session, message, runtime, call, notices);
    if (session.activeMedia === undefined && !this.#config.bot.textOnly) return textReply(NEED_MEDIA_TEXT, notices);

    const question = text === '' && fresh !== undefined ? defaultQuestion(fresh.media) : text;
    if (session.activeMedia?.kind === 'audio') {
      // a sound alone can be named, not placed on a picture or a timeline it does not have
      const need = soundQuestionNeeds(question);
      if (need !== null) return textReply(soundNeedsText(need), notices);
    }
    const plan = session.beginTurn(question);
    if (plan.type === 'reply') return textReply(plan.text, notices);
    if (plan.resolution.status === 'resolved') {
      // "the left one", "zoom into the heart": say which numbered regions the words were taken to be
      if (plan.resolution.switched !== null) notices.push(describeSwitch(plan.resolution.switched));
      for (const reference of plan.resolution.named) notices.push(describeNamed(reference));
    }

    let entry: PreparedEntry | undefined;
    let requestMedia: PreparedMedia | undefined;
    const files: ReplyFile[] = [];
    const media = plan.media;
    if (media !== undefined) {
      entry = fresh?.media.id === media.id ? fresh.entry : await this.#media.forContext(media, message, runtime.backend.blobs, call);
      requestMedia = entry.prepared;
      if (plan.crop !== null) {
        if (this.#engine.media.image === null) throw new LegoError('unsupported-media', 'zoom needs an engine that reads images');
        const bytes = await this.#media.imageBytes(media, entry, message, runtime.backend.blobs, call);
        const { x, y, width, height } = plan.crop;
        const crop = await cropImage(bytes, { x1: x, y1: y, x2: x + width, y2: y + height }, 0, { limits: this.#mediaOptions });
        requestMedia = await prepareImageFor(this.#engine.media, crop.png, this.#mediaOptions);
        files.push({
          name: 'lego-zoom.png',
          contentType: 'image/png',
          data: crop.png,
          description: `The part of the image I looked at again (${width}×${height} px at ${x},${y})`,
          kind: 'crop',
        });
      }
      if (plan.clip !== null) {
        // a zoom in time: the stretch sampled again, frames as close together as the model takes them
        requestMedia = await this.#media.prepareClip(media, plan.clip, message, runtime.backend.blobs, call);
        notices.push(describeStretch(plan.clip));
      }
    }

    const request: GenerateRequest = { turns: plan.request.turns, media: requestMedia, options: this.#generationOptions() };
    // a stretch's frames only: the soundtrack's clips cover the whole video
    if (entry?.audio !== undefined && plan.clip === null) request.audio = entry.audio;
    const answer = await runtime.limiter.run(
      async () => this.#generate(request, progress, session.record.nextRegionNumber, session.signal),
      { signal: session.signal },
    );

    const { regions } = session.addAnswer({ text: answer.text, boxes: answer.boxes, spans: answer.spans });
    const boxRegions = regions.slice(0, answer.boxes.length) as BoxRegion[];
    const spanRegions = regions.slice(answer.boxes.length) as SpanRegion[];
    const numbered = numberRegions(answer.text, [
      ...answer.boxes.map((b, i) => ({ start: b.start, end: b.end, shown: b.shown, number: boxRegions[i]!.number })),
      ...answer.spans.map((s, i) => ({ start: s.start, end: s.end, shown: s.shown, number: spanRegions[i]!.number })),
    ]);

    const dropped = Math.max(plan.request.droppedTurns, answer.finish.droppedTurns ?? 0);
    if (dropped > 0) notices.push(`This conversation is long, so I left out the ${dropped} oldest turns of it for this answer.`);
    if (answer.finish.reason === 'length') notices.push('My answer was cut short at its length limit.');

    // regions drawn by hand are shown with the answer's own, under the numbers later questions use
    const drawnBoxes = plan.drawn.filter((r): r is BoxRegion => r.kind === 'box');
    const drawnSpans = plan.drawn.filter((r): r is SpanRegion => r.kind === 'span');
    for (const region of plan.drawn) {
      notices.push(`I numbered the ${region.kind === 'box' ? 'region' : 'span'} you marked ${region.number}: ask about “${region.kind} ${region.number}” in later questions.`);
    }
    if (plan.resolution.status === 'none' && plan.crop === null && /\bzoom\s+(?:in|into|onto|on|to)\b/i.test(question) && boxRegions.length > 0) {
      // "zoom into the pink star" before any pink star was shown: the model found it; the crop is one step away
      notices.push(boxRegions.length === 1
        ? `That is where I found it (box ${boxRegions[0]!.number}): say “zoom into it” for a closer look.`
        : `Say “zoom into” with one of these numbers for a closer look.`);
    }
    const shownBoxes = unique([...drawnBoxes, ...boxRegions]);
    const shownSpans = unique([...drawnSpans, ...spanRegions]);
    // an answer about the sound sent with the image ("the sound comes from … [1]") names its source: the
    // reply picture's legend and the platforms' say so
    const heard = new Set(media !== undefined && media.sound !== null && SOUND_WORDS.test(answer.text) ? boxRegions.map((b) => b.number) : []);
    if (media !== undefined && entry !== undefined) {
      await this.#render(media, entry, heard, shownBoxes, shownSpans, message, runtime, call, files, notices);
    }
    const boxes: ReplyBox[] = shownBoxes
      .filter((r) => r.pixels !== null)
      .map((r) => ({ ref: r.number, pixels: r.pixels!, ...(r.label === null ? {} : { label: r.label }), ...(heard.has(r.number) ? { soundSource: true } : {}) }));
    const spans: ReplySpan[] = shownSpans
      .filter((r) => r.seconds !== null)
      .map((r) => ({ ref: r.number, seconds: r.seconds!, ...(r.label === null ? {} : { label: r.label }) }));
    return { text: numbered.trim() === '' ? '(I have no answer to that.)' : numbered, files, boxes, spans, notices };
  }

  /** The conversation as Markdown with a picture of each answer's regions (see exportConversation). */
  async #export(session: ConversationSession, message: IncomingMessage, runtime: ConversationRuntime, notices: string[]): Promise<Reply> {
    const call: LoadCall = { signal: session.signal };
    let missing = 0;
    const picture = async (draw: () => Promise<ReplyFile>): Promise<ReplyFile | undefined> => {
      try {
        return await draw();
      } catch (error) {
        missing += 1;
        this.#log.info({ conversation: message.conversationKey, err: error }, 'export: a picture could not be drawn');
        return undefined;
      }
    };
    const exported = await exportConversation(session.record, {
      boxes: async (media, regions) => picture(async () => {
        const entry = await this.#media.forContext(media, message, runtime.backend.blobs, call);
        const image = entry.display ?? (await this.#media.imageBytes(media, entry, message, runtime.backend.blobs, call));
        return renderAnnotatedImage(image, regions, this.#config.render, this.#mediaOptions);
      }),
      timeline: async (media, regions) => picture(async () => renderVideoTimeline(media.durationSec ?? 0, regions, [], this.#config.render)),
    });
    const pictures = exported.files.length - 1;
    if (missing > 0) notices.push(`${missing} picture${missing === 1 ? '' : 's'} could not be drawn (the media is no longer available); the text is complete.`);
    const text = session.record.turns.length === 0
      ? 'There is nothing to export yet: this conversation is empty.'
      : `Here is this conversation as Markdown (conversation.md)${pictures > 0 ? ` with ${pictures} picture${pictures === 1 ? '' : 's'} of the regions` : ''}.`;
    return { text, files: session.record.turns.length === 0 ? [] : exported.files, boxes: [], spans: [], notices };
  }

  /**
   * Fetch, identify and prepare the message's media and make it the current media context: its first
   * attachment, or an image and a sound sent together (the first two of those kinds) as one context.
   */
  async #newMedia(
    session: ConversationSession,
    message: IncomingMessage,
    runtime: ConversationRuntime,
    call: LoadCall,
    notices: string[],
  ): Promise<{ media: MediaContext; entry: PreparedEntry } | undefined> {
    const [first, ...others] = message.attachments;
    if (first === undefined) return undefined;
    const picked: Fetched[] = [await this.#fetch(first, message, runtime, call)];
    const partnerKind = !engineReads(this.#engine.media, 'audio') ? undefined : PARTNER[picked[0]!.fetched.kind];
    const partner = partnerKind === undefined ? undefined : others.find((a) => [partnerKind, undefined].includes(declaredKind(a)));
    if (partner !== undefined) {
      const fetched = await this.#fetch(partner, message, runtime, call);
      if (fetched.fetched.kind === partnerKind) picked.push(fetched);
    }
    if (message.attachments.length > picked.length) {
      const names = picked.map((p) => p.attachment.name).join(' and ');
      notices.push(`You sent ${message.attachments.length} files; I looked at ${picked.length === 1 ? `the first one (${names})` : names} only.`);
    }
    const visual = picked.find((p) => p.fetched.kind !== 'audio');
    const sound = picked.find((p) => p.fetched.kind === 'audio');
    const soundInfo = (s: Fetched) => ({ hash: s.hash, mime: s.fetched.sniffed.mime, durationSec: s.entry.audio?.durationSec ?? null, source: s.source, name: s.attachment.name });
    if (visual === undefined) {
      const s = sound!;
      const media = session.addMedia({ kind: 'audio', hash: s.hash, mime: s.fetched.sniffed.mime, size: null, durationSec: soundInfo(s).durationSec, source: s.source, name: s.attachment.name });
      return { media, entry: s.entry };
    }
    const prepared = visual.entry.prepared!;
    const media = session.addMedia({
      kind: visual.fetched.kind,
      hash: visual.hash,
      mime: visual.fetched.sniffed.mime,
      size: prepared.size,
      durationSec: prepared.kind === 'video' ? prepared.durationSec : null,
      source: visual.source,
      name: visual.attachment.name,
      sound: sound === undefined ? null : soundInfo(sound),
    });
    const audio = sound?.entry.audio ?? visual.entry.audio;
    return { media, entry: audio === undefined ? visual.entry : { ...visual.entry, audio } };
  }

  /** One attachment fetched, identified, prepared, and kept where follow-ups can get it again. */
  async #fetch(attachment: IncomingAttachment, message: IncomingMessage, runtime: ConversationRuntime, call: LoadCall): Promise<Fetched> {
    let fetched: FetchedMedia = await this.#media.fetch(attachment, call);
    await this.#limits.takeMedia(runtime.backend.counters, message, fetched.bytes.length);
    const hash = contentHash(fetched.bytes);
    const entry = await this.#media.prepare(hash, fetched, call);
    // a "video" container that turned out to hold only sound
    if (entry.prepared === undefined && entry.audio !== undefined) fetched = { ...fetched, kind: 'audio' };
    const source = sourceOf(attachment, hash);
    if (source.type === 'blob') {
      try {
        await runtime.backend.blobs.put(fetched.bytes, fetched.sniffed.mime);
      } catch (error) {
        // Follow-ups then rely on the tensor cache; the question itself can still be answered.
        this.#log.warn({ conversation: message.conversationKey, err: error, bytes: fetched.bytes.length }, 'could not keep the upload in the blob store');
      }
    }
    return { attachment, fetched, hash, entry, source };
  }

  #generationOptions(): GenerationOptions {
    const { generation, timeoutMs } = this.#config.engine;
    const options: GenerationOptions = {};
    if (generation.temperature !== undefined) options.temperature = generation.temperature;
    if (generation.topP !== undefined) options.topP = generation.topP;
    if (generation.maxNewTokens !== undefined) options.maxNewTokens = generation.maxNewTokens;
    if (generation.seed !== undefined) options.seed = generation.seed;
    if (timeoutMs > 0) options.timeoutMs = timeoutMs;
    return options;
  }

  /** Stream the answer: partial text with numbered references as it grows; a time-out guard besides the engine's own. */
  async #generate(request: GenerateRequest, progress: ReplyProgress, nextNumber: number, signal: AbortSignal): Promise<Answer> {
    const timeoutMs = this.#config.engine.timeoutMs;
    const guard = new AbortController();
    const timer =
      timeoutMs > 0
        ? setTimeout(() => guard.abort(new LegoError('engine-timeout', `no answer within ${timeoutMs} ms (pipeline guard)`)), timeoutMs + 2_000)
        : undefined;
    const combined = AbortSignal.any([signal, guard.signal]);
    let answer: CollectedAnswer;
    try {
      answer = await collectAnswer(this.#engine.generate(request, { signal: combined }), {
        onProgress: async (soFar) => {
          if (progress.partial === undefined) return;
          // new regions count on from the conversation's next number, in order of appearance (the final text is authoritative)
          const regions = [...soFar.boxes, ...soFar.spans]
            .sort((a, b) => a.start - b.start)
            .map((r, i) => ({ start: r.start, end: r.end, shown: r.shown, number: nextNumber + i }));
          const partial = numberRegions(soFar.text, regions, { partial: true, ...(soFar.pendingFrom === undefined ? {} : { pendingFrom: soFar.pendingFrom }) });
          await quietly(() => progress.partial?.(partial));
        },
      });
    } catch (error) {
      if (guard.signal.aborted) throw timedOut(timeoutMs);
      throw error;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
    const { finish } = answer;
    if (guard.signal.aborted || finish.reason === 'timeout') throw timedOut(timeoutMs);
    if (finish.reason === 'aborted') {
      throw LegoError.is(signal.reason) ? signal.reason : new LegoError('aborted', 'the answer was aborted');
    }
    return answer;
  }

  /** The pictures: boxes on the full image, the timeline of a video. A drawing failure costs the picture, not the answer. */
  async #render(
    media: MediaContext,
    entry: PreparedEntry,
    /** the numbers of the answer's boxes that are the sound's source */
    soundSources: ReadonlySet<number>,
    boxes: readonly BoxRegion[],
    spans: readonly SpanRegion[],
    message: IncomingMessage,
    runtime: ConversationRuntime,
    call: LoadCall,
    files: ReplyFile[],
    notices: string[],
  ): Promise<void> {
    const render = this.#config.render;
    try {
      if (media.kind === 'image' && (boxes.length > 0 || render.annotateWithoutBoxes)) {
        const image = entry.display ?? (await this.#media.imageBytes(media, entry, message, runtime.backend.blobs, call));
        files.unshift(await renderAnnotatedImage(image, boxes, render, this.#mediaOptions, { sourceBoxes: [...soundSources] }));
      }
      if (media.kind === 'video' && spans.length > 0 && media.durationSec !== null) {
        const sound = entry.waveform === undefined ? {} : { waveform: entry.waveform };
        files.unshift(await renderVideoTimeline(media.durationSec, spans, entry.frames ?? [], render, sound));
      }
    } catch (error) {
      this.#log.warn({ conversation: message.conversationKey, err: error }, 'could not render the reply picture');
      notices.push('I could not draw the picture this time; the numbers in my answer still name the regions.');
    }
  }
}

function timedOut(timeoutMs: number): LegoError {
  return new LegoError('engine-timeout', `the engine did not answer within ${timeoutMs} ms`, { details: { timeoutMs } });
}
