/**
 * Options of the local web chat: the `web` section's settings (./web-config.ts, where they are
 * documented and defaulted), the media section's upload limits, and where the page's files are.
 */
import { mediaOptionsSchema } from '../../src/media/options';
import { WebConfigSchema } from './web-config';

export interface WebAdapterOptions {
  /** interface to bind; loopback by default so the chat is only reachable from this machine */
  host: string;
  /** TCP port; 0 picks a free one (see `WebAdapter.address` after start) */
  port: number;
  /** largest image upload, bytes (checked from Content-Length and while the bytes arrive) */
  maxImageBytes: number;
  /** largest video upload, bytes */
  maxVideoBytes: number;
  /** largest sound upload, bytes */
  maxAudioBytes: number;
  /** all uploads kept in memory at once, bytes; the oldest are dropped first */
  maxStoredUploadBytes: number;
  /**
   * bytes the uploads being received at once may hold (each counts its Content-Length, or its limit
   * when it declares none); the rest wait, unread, until room is made. Eight phones posting a 5 MB photo
   * at once are then not 40 MB of buffers in one moment (bench:photo's burst).
   */
  maxReceivingBytes: number;
  /** how long an upload stays usable (follow-ups may fetch it again), ms */
  uploadTtlMs: number;
  /** answer files (annotated PNG, timeline) kept for the browser to fetch, bytes; oldest dropped first */
  maxStoredFileBytes: number;
  /** largest JSON request body (chat messages), bytes */
  maxJsonBytes: number;
  /** longest question, characters */
  maxTextChars: number;
  /** on stop(), how long answers in flight may finish before they are cut, ms */
  shutdownGraceMs: number;
  /** least time between two `partial` events of a growing answer, ms (0 = every update) */
  partialIntervalMs: number;
  /** SSE keep-alive comment interval while an answer is being generated, ms */
  heartbeatMs: number;
  /** time to receive the request headers, ms */
  headersTimeoutMs: number;
  /** time to receive a whole request (headers and body, uploads included), ms */
  receiveTimeoutMs: number;
  /** longest pause between two pieces of a body, ms: a client that stops sending gets 408 */
  bodyIdleTimeoutMs: number;
  /** folder with index.html, app.js, style.css (default: ./public next to this file) */
  publicDir: string | undefined;
  /** sample media offered on the welcome, served under /samples/ (default: the package's assets/samples; null = none) */
  samplesDir: string | null | undefined;
}

/** The web section's settings, defaulted once in its schema (./web-config.ts). */
const WEB_DEFAULTS = WebConfigSchema.parse({});
/** The upload limits are the media section's (src/media/options.ts), not the chat's own. */
const MEDIA_DEFAULTS = mediaOptionsSchema.parse({});

export const DEFAULT_WEB_ADAPTER_OPTIONS = {
  ...WEB_DEFAULTS,
  maxImageBytes: MEDIA_DEFAULTS.maxImageBytes,
  maxVideoBytes: MEDIA_DEFAULTS.maxVideoBytes,
  maxAudioBytes: MEDIA_DEFAULTS.maxAudioBytes,
  publicDir: undefined,
  samplesDir: undefined,
} as const satisfies WebAdapterOptions;

export type WebAdapterOptionsInput = Partial<WebAdapterOptions>;

/** The options with defaults filled in; `undefined` values keep the default. */
export function resolveWebAdapterOptions(input: WebAdapterOptionsInput = {}): WebAdapterOptions {
  const settled: WebAdapterOptions = { ...DEFAULT_WEB_ADAPTER_OPTIONS };
  for (const [key, value] of Object.entries(input) as [keyof WebAdapterOptions, unknown][]) {
    if (value !== undefined) (settled as unknown as Record<string, unknown>)[key] = value;
  }
  return settled;
}
