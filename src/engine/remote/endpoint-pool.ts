import { LegoError } from '../../errors';

export type BalanceStrategy = 'round-robin' | 'least-in-flight';

export interface EndpointState {
  /** base URL as configured (no trailing slash) */
  readonly url: string;
  inFlight: number;
  consecutiveFailures: number;
  /** down until this time (ms since epoch); 0 = up */
  downUntil: number;
  /** how long the next mark-down lasts (doubles while failures continue) */
  nextDownMs: number;
}

export interface EndpointPoolOptions {
  strategy: BalanceStrategy;
  /** consecutive failures that mark an endpoint down */
  failureThreshold: number;
  /** first time an endpoint stays down before it is probed again; doubles up to maxDownMs */
  downMs: number;
  maxDownMs: number;
  /** checks whether an endpoint answers (true = up) */
  probe: (url: string) => Promise<boolean>;
  now?: () => number;
}

/**
 * The endpoints of a remote engine with their health. Picks one per attempt (round robin or least in
 * flight among the healthy ones); an endpoint that fails `failureThreshold` times in a row is marked
 * down for `downMs` (doubling while it keeps failing); once that has passed it is probed before use and
 * comes back when the probe succeeds. `probeDown()` checks every down endpoint (for a periodic timer).
 */
export class EndpointPool {
  readonly endpoints: EndpointState[];
  private cursor = 0;
  private readonly now: () => number;

  constructor(
    urls: readonly string[],
    private readonly options: EndpointPoolOptions,
  ) {
    if (urls.length === 0) throw new LegoError('config-invalid', 'remote.endpoints: at least one endpoint is needed');
    this.endpoints = urls.map((url) => ({ url: url.replace(/\/+$/, ''), inFlight: 0, consecutiveFailures: 0, downUntil: 0, nextDownMs: options.downMs }));
    this.now = options.now ?? Date.now;
  }

  private isUp(e: EndpointState): boolean {
    return e.downUntil === 0;
  }

  /**
   * An endpoint for the next attempt, its in-flight count raised (give it back with `release`). Endpoints
   * not in `exclude` are preferred; down ones whose time is up are probed first. Throws
   * engine-unavailable (retryable) when none is usable.
   */
  async acquire(exclude: ReadonlySet<string> = new Set()): Promise<EndpointState> {
    const pick = (candidates: EndpointState[]): EndpointState | undefined => {
      if (candidates.length === 0) return undefined;
      if (this.options.strategy === 'least-in-flight') {
        const least = Math.min(...candidates.map((e) => e.inFlight));
        const tied = candidates.filter((e) => e.inFlight === least);
        return tied[this.cursor++ % tied.length];
      }
      return candidates[this.cursor++ % candidates.length];
    };
    const up = this.endpoints.filter((e) => this.isUp(e));
    let chosen = pick(up.filter((e) => !exclude.has(e.url)));
    if (chosen === undefined) {
      const due = this.endpoints.filter((e) => !this.isUp(e) && e.downUntil <= this.now());
      for (const e of due) {
        if (await this.probeOne(e)) {
          chosen = e;
          break;
        }
      }
    }
    chosen ??= pick(up);
    if (chosen === undefined) {
      throw new LegoError('engine-unavailable', `no remote endpoint is up (${this.endpoints.map((e) => e.url).join(', ')})`);
    }
    chosen.inFlight += 1;
    return chosen;
  }

  /** The attempt on `endpoint` is over: `ok` resets its failures, `failure` counts towards marking it down. */
  release(endpoint: EndpointState, outcome: 'ok' | 'failure' | 'neutral'): void {
    endpoint.inFlight = Math.max(0, endpoint.inFlight - 1);
    if (outcome === 'ok') this.markUp(endpoint);
    else if (outcome === 'failure') this.markFailure(endpoint);
  }

  markFailure(endpoint: EndpointState): void {
    endpoint.consecutiveFailures += 1;
    if (endpoint.consecutiveFailures >= this.options.failureThreshold) {
      endpoint.downUntil = this.now() + endpoint.nextDownMs;
      endpoint.nextDownMs = Math.min(this.options.maxDownMs, endpoint.nextDownMs * 2);
    }
  }

  markUp(endpoint: EndpointState): void {
    endpoint.consecutiveFailures = 0;
    endpoint.downUntil = 0;
    endpoint.nextDownMs = this.options.downMs;
  }

  /** Probes every down endpoint whose time is up; used by the periodic health check. */
  async probeDown(): Promise<void> {
    const due = this.endpoints.filter((e) => !this.isUp(e) && e.downUntil <= this.now());
    await Promise.all(due.map((e) => this.probeOne(e)));
  }

  private async probeOne(endpoint: EndpointState): Promise<boolean> {
    let ok = false;
    try {
      ok = await this.options.probe(endpoint.url);
    } catch {
      ok = false;
    }
    if (ok) this.markUp(endpoint);
    else {
      endpoint.downUntil = this.now() + endpoint.nextDownMs;
      endpoint.nextDownMs = Math.min(this.options.maxDownMs, endpoint.nextDownMs * 2);
    }
    return ok;
  }
}
