import { Counter, Gauge, Registry } from 'prom-client';
import type { LimitsConfig } from '../config/limits';

/** Something that renders Prometheus text (a prom-client Registry). */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/**
 * The Prometheus metrics of one bot (its own registry: two bots in one process do not mix); the web
 * adapter serves them at GET /metrics.
 *   lego_bot_user_turns_total{platform}            questions counted against the per-user limit
 *   lego_bot_user_media_bytes_total{platform}      media bytes counted against the per-user daily limit
 *   lego_bot_limit_refusals_total{platform,limit}  turns refused because a user reached a limit (turns | media)
 *   lego_bot_limit{limit}                          the configured limits (turns_per_minute, media_bytes_per_day; 0 = none)
 */
export class BotMetrics {
  readonly registry = new Registry();
  readonly turns: Counter<'platform'>;
  readonly mediaBytes: Counter<'platform'>;
  readonly refusals: Counter<'platform' | 'limit'>;
  readonly limit: Gauge<'limit'>;

  constructor(limits: LimitsConfig) {
    const registers = [this.registry];
    this.turns = new Counter({ name: 'lego_bot_user_turns_total', help: 'questions counted against the per-user limit', labelNames: ['platform'], registers });
    this.mediaBytes = new Counter({ name: 'lego_bot_user_media_bytes_total', help: 'media bytes counted against the per-user daily limit', labelNames: ['platform'], registers });
    this.refusals = new Counter({ name: 'lego_bot_limit_refusals_total', help: 'turns refused because a user reached a limit', labelNames: ['platform', 'limit'], registers });
    this.limit = new Gauge({ name: 'lego_bot_limit', help: 'configured per-user limits (0 = none)', labelNames: ['limit'], registers });
    this.limit.set({ limit: 'turns_per_minute' }, limits.turnsPerMinute);
    this.limit.set({ limit: 'media_bytes_per_day' }, limits.mediaBytesPerDay);
  }
}
