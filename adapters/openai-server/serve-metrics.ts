import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The Prometheus metrics of one `lego serve` (its own registry: two servers in one process do not mix).
 *   lego_serve_requests_total{route,status}          requests answered
 *   lego_serve_request_duration_seconds{stream}      whole request, histogram
 *   lego_serve_time_to_first_token_seconds           until the first text, histogram
 *   lego_serve_prompt_tokens_total / _completion_tokens_total
 *   lego_serve_in_flight                             chat requests being answered
 *   lego_serve_queue_depth                           chat requests accepted and waiting for their first token
 *   lego_serve_errors_total{code}                    errors by LegoError code
 * plus Node's process metrics (event-loop lag, memory, GC) with the `lego_serve_` prefix.
 */
export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'status'>;
  readonly duration: Histogram<'stream'>;
  readonly firstToken: Histogram;
  readonly promptTokens: Counter;
  readonly completionTokens: Counter;
  readonly inFlight: Gauge;
  readonly queueDepth: Gauge;
  readonly errors: Counter<'code'>;

  constructor(processMetrics = true) {
    const registers = [this.registry];
    const buckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
    this.requests = new Counter({ name: 'lego_serve_requests_total', help: 'HTTP requests answered', labelNames: ['route', 'status'], registers });
    this.duration = new Histogram({ name: 'lego_serve_request_duration_seconds', help: 'chat completion latency', labelNames: ['stream'], buckets, registers });
    this.firstToken = new Histogram({ name: 'lego_serve_time_to_first_token_seconds', help: 'time until the first text of an answer', buckets, registers });
    this.promptTokens = new Counter({ name: 'lego_serve_prompt_tokens_total', help: 'prompt tokens processed', registers });
    this.completionTokens = new Counter({ name: 'lego_serve_completion_tokens_total', help: 'tokens generated', registers });
    this.inFlight = new Gauge({ name: 'lego_serve_in_flight', help: 'chat requests being answered', registers });
    this.queueDepth = new Gauge({ name: 'lego_serve_queue_depth', help: 'chat requests waiting for their first token', registers });
    this.errors = new Counter({ name: 'lego_serve_errors_total', help: 'errors by code', labelNames: ['code'], registers });
    if (processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'lego_serve_' });
  }
}
