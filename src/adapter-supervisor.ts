import type { Adapter } from './bot/types';
import type { AdaptersConfig } from './config/adapters';
import type { Logger } from './engine/types';
import { LegoError } from './errors';

export type AdapterState = 'starting' | 'running' | 'retrying' | 'failed' | 'stopped';

/** What health reports of one adapter. */
export interface AdapterStatus {
  name: string;
  state: AdapterState;
  /** tries so far */
  attempts: number;
  /** the last failure's message (LegoError message; logs carry the detail, scrubbed) */
  error?: string;
  /** when the next try is due (ISO time), while retrying */
  nextAttemptAt?: string;
}

/**
 * Starts one adapter and keeps trying when it fails (a refused Discord login, Slack unreachable):
 * each failure is logged, the next try waits `retryBaseMs` doubled per try up to `retryMaxMs`, and
 * after `startAttempts` tries the adapter is `failed` — while every other adapter keeps serving.
 * Each try gets a fresh adapter from `create` (a client that failed to log in is not reused).
 */
export class SupervisedAdapter {
  private current: Adapter | undefined;
  private state: AdapterState = 'starting';
  private attempts = 0;
  private lastError: string | undefined;
  private nextAttemptAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    readonly name: string,
    private readonly create: () => Promise<Adapter>,
    private readonly settings: AdaptersConfig,
    private readonly logger: Logger,
  ) {}

  /** The adapter while it runs. */
  get adapter(): Adapter | undefined {
    return this.state === 'running' ? this.current : undefined;
  }

  status(): AdapterStatus {
    return {
      name: this.name,
      state: this.state,
      attempts: this.attempts,
      ...(this.lastError === undefined ? {} : { error: this.lastError }),
      ...(this.state === 'retrying' && this.nextAttemptAt !== undefined ? { nextAttemptAt: new Date(this.nextAttemptAt).toISOString() } : {}),
    };
  }

  /** The first try; resolves when it succeeded or failed (later tries run in the background). */
  async start(): Promise<boolean> {
    await this.attempt();
    return this.state === 'running';
  }

  /** Stops the adapter (or its pending retry). Safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    const adapter = this.current;
    this.current = undefined;
    if (this.state === 'running' && adapter !== undefined) await adapter.stop();
    this.state = 'stopped';
  }

  /** ms before try number `attempt + 1` */
  delayAfter(attempt: number): number {
    return Math.min(this.settings.retryMaxMs, this.settings.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  }

  private attempt(): Promise<void> {
    const run = (async () => {
      this.attempts += 1;
      this.state = this.attempts === 1 ? 'starting' : 'retrying';
      let adapter: Adapter | undefined;
      try {
        adapter = await this.create();
        this.current = adapter;
        await adapter.start();
      } catch (error) {
        this.current = undefined;
        if (adapter !== undefined) await adapter.stop().catch(() => undefined);
        this.failed(error);
        return;
      }
      if (this.stopped) {
        await adapter.stop().catch(() => undefined);
        return;
      }
      this.state = 'running';
      this.lastError = undefined;
      this.logger.info({ adapter: this.name, attempts: this.attempts }, 'adapter started');
    })();
    this.running = run;
    return run;
  }

  private failed(error: unknown): void {
    const lego = LegoError.from(error);
    this.lastError = lego.message;
    if (this.stopped) return;
    if (this.attempts >= this.settings.startAttempts) {
      this.state = 'failed';
      this.logger.error({ adapter: this.name, attempts: this.attempts, err: error }, 'adapter could not start; giving up (the others keep serving)');
      return;
    }
    const delay = this.delayAfter(this.attempts);
    this.state = 'retrying';
    this.nextAttemptAt = Date.now() + delay;
    this.logger.warn({ adapter: this.name, attempts: this.attempts, retryInMs: delay, err: error }, 'adapter could not start; trying again');
    this.timer = setTimeout(() => void this.attempt(), delay);
    this.timer.unref();
  }
}
