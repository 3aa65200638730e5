import { silentLogger } from '../engine/silent-logger';
import type { Logger } from '../logger-type';
import { LegoError } from '../errors';
import { InFlightWork } from './in-flight-work';
import type { DrainResult } from './in-flight-work';
import { errorReply } from './reply-parts';
import { FILES_FAILED_NOTICE, ReplyStreamer } from './reply-streamer';
import type { ReplySurface } from './reply-surface';
import { TypingIndicator } from './typing-indicator';
import type { BotHandler, IncomingMessage, Reply, ReplyFile, ReplyProgress } from './types';

/** Said when shutdown cuts an answer off. */
export const CUT_OFF_TEXT = 'Sorry — I had to restart and this answer was cut off. Please ask again in a moment.';

export interface TurnRunnerOptions {
  bot: BotHandler;
  logger?: Logger;
  /** names the platform in log lines ("discord") */
  platform: string;
}

export interface RunTurnOptions {
  /** aborts this turn (the browser went away); shutdown aborts it too */
  signal?: AbortSignal;
  /** the adapter's own notices (files left out…), shown after the pipeline's */
  notices?: readonly string[];
}

function formatted(surface: ReplySurface, text: string): string {
  return surface.formatText === undefined ? text : surface.formatText(text);
}

function notice(surface: ReplySurface, line: string): string {
  return surface.formatNotice === undefined ? line : surface.formatNotice(formatted(surface, line));
}

/** The answer and its notices as one text, as the surface reads it. */
function composeText(surface: ReplySurface, reply: Reply, notices: readonly string[]): string {
  const extra = [...reply.notices, ...notices].filter((line) => line.trim() !== '').map((line) => notice(surface, line.trim()));
  return [formatted(surface, reply.text.trim()), ...extra].filter((part) => part !== '').join('\n\n');
}

/** Files over the surface's upload limit are left out, with a notice. */
function withinUploadLimit(surface: ReplySurface, reply: Reply): { files: readonly ReplyFile[]; notices: string[] } {
  const max = surface.limits.maxUploadBytes;
  if (max <= 0) return { files: reply.files, notices: [] };
  const files = reply.files.filter((file) => file.data.length <= max);
  return { files, notices: files.length < reply.files.length ? [FILES_FAILED_NOTICE] : [] };
}

/**
 * The one turn loop every chat surface uses: typing indicator (renewed while the pipeline works), the
 * pipeline with progress callbacks, the growing answer shown with throttled edits, the final answer split
 * to the surface's message limit with its files, a failure answered with the error's polite words (one
 * error → reply), and shutdown: `drain` lets answers finish within a grace period, then aborts them and
 * tells their users they were cut off. Adapters only translate: platform events to IncomingMessage,
 * surface calls to platform calls.
 */
export class TurnRunner {
  readonly #bot: BotHandler;
  readonly #log: Logger;
  readonly #platform: string;
  readonly #inFlight = new InFlightWork();

  constructor(options: TurnRunnerOptions) {
    this.#bot = options.bot;
    this.#log = options.logger ?? silentLogger;
    this.#platform = options.platform;
  }

  /** Answers in progress. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Let answers in progress finish within `graceMs`; then abort the rest, give them `settleMs` to end by
   * themselves, and tell the users of any still hanging that their answer was cut off.
   */
  drain(graceMs: number, settleMs?: number): Promise<DrainResult> {
    return this.#inFlight.drain(graceMs, settleMs);
  }

  /** One message, start to end. Never throws: failures are logged and answered where possible. Resolves to the reply. */
  async run(incoming: IncomingMessage, surface: ReplySurface, options: RunTurnOptions = {}): Promise<Reply | undefined> {
    const where = { platform: this.#platform, conversation: incoming.conversationKey, message: incoming.messageId };
    const onError = (error: unknown, what: string): void => {
      this.#log.warn({ ...where, err: error }, `${this.#platform}: ${what} failed`);
    };
    const typing =
      surface.typing === undefined
        ? undefined
        : new TypingIndicator(() => surface.typing!(), surface.limits.typingIntervalMs, (error) => onError(error, 'typing indicator'));
    const streamer = new ReplyStreamer(surface, { onSent: () => typing?.stop(), onError });
    const progress: ReplyProgress = {
      ...(typing === undefined ? {} : { typing: () => typing.pulse() }),
      ...(surface.status === undefined ? {} : { status: async (text: string) => void (await surface.status!(text)) }),
      ...(surface.edit === undefined ? {} : { partial: (text: string) => streamer.partial(text) }),
    };
    let delivered: Reply | undefined;
    const deliver = async (reply: Reply, extraNotices: readonly string[]): Promise<void> => {
      delivered = reply;
      if (reply.skipped !== undefined) {
        this.#log.debug({ ...where, skipped: reply.skipped }, `${this.#platform}: the pipeline skipped this message`);
        await surface.finished?.(reply, []);
        return;
      }
      const upload = withinUploadLimit(surface, reply);
      const ids = await streamer.finish(composeText(surface, reply, [...extraNotices, ...upload.notices]), upload.files);
      await surface.finished?.(reply, ids);
    };
    const cutOff = async (): Promise<void> => {
      if (streamer.finishing) return;
      const sofar = streamer.soFar;
      const reply = errorReply(new LegoError('aborted', 'cut off by shutdown', { userMessage: CUT_OFF_TEXT }));
      await deliver(sofar === '' ? reply : { ...reply, text: `${sofar} …`, notices: [CUT_OFF_TEXT] }, []);
    };
    typing?.start();
    try {
      await this.#inFlight.track(async (shutdown) => {
        const signal = options.signal === undefined ? shutdown : AbortSignal.any([shutdown, options.signal]);
        let reply: Reply;
        try {
          reply = await this.#bot.handle(incoming, progress, signal);
        } catch (error) {
          // BotHandler.handle answers failures itself; this is the net under a handler that throws
          const lego = LegoError.from(error);
          if (!signal.aborted) this.#log.error({ ...where, err: error, code: lego.code }, `${this.#platform}: the pipeline threw`);
          reply = errorReply(lego);
        } finally {
          typing?.stop();
        }
        if (shutdown.aborted && (reply.error !== undefined || reply.text.trim() === '')) {
          await cutOff();
          return;
        }
        if (reply.error !== undefined) this.#log.info({ ...where, code: reply.error.code }, `${this.#platform}: answered with an error message`);
        await deliver(reply, options.notices ?? []);
      }, cutOff);
    } catch (error) {
      onError(error, 'sending the answer');
      if (!streamer.finishing || delivered === undefined) return delivered;
      // the answer could not go out: one short polite line instead, where the surface still takes one
      const failed = new LegoError('platform-error', 'sending the answer failed');
      await surface.send({ text: formatted(surface, failed.userMessage), files: [], final: true }).catch(() => undefined);
    } finally {
      typing?.stop();
    }
    return delivered;
  }
}
