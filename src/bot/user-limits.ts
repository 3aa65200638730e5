import type { LimitsConfig } from '../config/limits';
import type { UsageCounters } from '../conversation/usage-counters';
import { LegoError } from '../errors';
import type { BotMetrics } from './bot-metrics';
import type { IncomingMessage } from './types';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${Number((n / 1024 ** 3).toFixed(1))} GB`;
  if (n >= 1024 ** 2) return `${Number((n / 1024 ** 2).toFixed(1))} MB`;
  return `${Math.round(n / 1024)} KB`;
}

function waitWords(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}

/**
 * Per-user limits: questions per minute and media bytes per day, counted in fixed windows (the minute,
 * the UTC day) in the store's counters so that every instance sees the same figures. Reaching one throws
 * a `limit-reached` LegoError whose words say politely when to come back; the turn then saves nothing.
 */
export class UserLimits {
  readonly #limits: LimitsConfig;
  readonly #metrics: BotMetrics;
  readonly #now: () => number;

  constructor(limits: LimitsConfig, metrics: BotMetrics, options: { now?: () => number } = {}) {
    this.#limits = limits;
    this.#metrics = metrics;
    this.#now = options.now ?? Date.now;
  }

  static userOf(message: IncomingMessage): string {
    return `${message.platform}:${message.author.id}`;
  }

  /** Count one question; throws when the user has asked too many this minute. */
  async takeTurn(counters: UsageCounters, message: IncomingMessage): Promise<void> {
    const limit = this.#limits.turnsPerMinute;
    if (limit === 0) return;
    const now = this.#now();
    const window = Math.floor(now / MINUTE);
    const total = await counters.add(`turns:${UserLimits.userOf(message)}:${window}`, 1, MINUTE + 5_000);
    this.#metrics.turns.inc({ platform: message.platform });
    if (total <= limit) return;
    this.#metrics.refusals.inc({ platform: message.platform, limit: 'turns' });
    const wait = (window + 1) * MINUTE - now;
    throw new LegoError('limit-reached', `user reached ${limit} turns per minute`, {
      retryable: true,
      details: { limit: 'turns', total, max: limit },
      userMessage: `You have asked me ${limit === 1 ? 'a question' : `${limit} questions`} this minute, which is as many as I take from one person. Please wait ${waitWords(wait)} and ask again.`,
    });
  }

  /** Count the bytes of a media the user sent; throws (and gives the bytes back) when they go over today's limit. */
  async takeMedia(counters: UsageCounters, message: IncomingMessage, bytes: number): Promise<void> {
    const limit = this.#limits.mediaBytesPerDay;
    if (limit === 0 || bytes <= 0) return;
    const now = this.#now();
    const day = Math.floor(now / DAY);
    const key = `media:${UserLimits.userOf(message)}:${day}`;
    const total = await counters.add(key, bytes, DAY + MINUTE);
    if (total <= limit) {
      this.#metrics.mediaBytes.inc({ platform: message.platform }, bytes);
      return;
    }
    // the file is not used: it does not count
    await counters.add(key, -bytes, DAY + MINUTE).catch(() => undefined);
    this.#metrics.refusals.inc({ platform: message.platform, limit: 'media' });
    const left = Math.max(0, limit - (total - bytes));
    const wait = (day + 1) * DAY - now;
    throw new LegoError('limit-reached', `user over ${limit} media bytes per day`, {
      retryable: true,
      details: { limit: 'media', total, max: limit },
      userMessage:
        `That file (${formatBytes(bytes)}) would take you over the ${formatBytes(limit)} of images and videos I accept from one person per day` +
        `${left > 0 ? ` (${formatBytes(left)} left today)` : ''}. Please send a smaller one, or try again in ${waitWords(wait)}.`,
    });
  }
}
