import { LegoError } from '../../errors';
import type { LegoErrorCode } from '../../errors';
import type { WireError } from './openai-wire';

/** Error codes a server may send that keep their meaning here (the request's own fault). */
const CLIENT_CODES: ReadonlySet<string> = new Set<LegoErrorCode>([
  'bad-input',
  'unsupported-media',
  'too-large',
  'media-corrupt',
  'context-overflow',
  'download-refused',
  'download-failed',
  'not-found',
]);

/** What to do after an HTTP answer that is not 200. */
export interface HttpOutcome {
  error: LegoError;
  /** retry (on another endpoint when there is one) */
  retry: boolean;
  /** count it against the endpoint's health */
  endpointFailure: boolean;
  /** the server's Retry-After, ms */
  retryAfterMs?: number;
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** An error object from a server (OpenAI's shape, vLLM's, TGI's `{error: "…"}`) as text and code. */
export function readWireError(body: unknown): { message: string; code: string | undefined; retryable: boolean | undefined } {
  const e = (body as Partial<WireError> | undefined)?.error as unknown;
  if (typeof e === 'string') return { message: e, code: undefined, retryable: undefined };
  if (e !== null && typeof e === 'object') {
    const o = e as { message?: unknown; code?: unknown; retryable?: unknown };
    return {
      message: typeof o.message === 'string' ? o.message : 'remote error',
      code: typeof o.code === 'string' ? o.code : undefined,
      retryable: typeof o.retryable === 'boolean' ? o.retryable : undefined,
    };
  }
  return { message: 'remote error', code: undefined, retryable: undefined };
}

/**
 * Classifies a non-200 answer: 429 and 502/503/504 are retried (503 'busy' without blaming the endpoint),
 * other 4xx keep the request's fault (not retried), other 5xx are engine failures (not retried).
 */
export function classifyHttpError(status: number, body: unknown, retryAfter: string | null): HttpOutcome {
  const wire = readWireError(body);
  const retryAfterMs = parseRetryAfter(retryAfter);
  const after = retryAfterMs === undefined ? {} : { retryAfterMs };
  const detail = `remote answered ${status}: ${wire.message}`;
  if (status === 429 || (status === 503 && wire.code === 'busy')) {
    return { error: new LegoError('busy', detail, { retryable: true }), retry: true, endpointFailure: false, ...after };
  }
  if (status === 502 || status === 503 || status === 504) {
    return { error: new LegoError('engine-unavailable', detail, { retryable: true }), retry: true, endpointFailure: true, ...after };
  }
  if (status >= 400 && status < 500) {
    const code = wire.code !== undefined && CLIENT_CODES.has(wire.code) ? (wire.code as LegoErrorCode) : 'bad-input';
    return { error: new LegoError(code, detail, { retryable: false }), retry: false, endpointFailure: false };
  }
  return { error: new LegoError('engine-failed', detail, { retryable: false }), retry: false, endpointFailure: false };
}
