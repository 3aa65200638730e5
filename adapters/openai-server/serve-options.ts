import { ServeConfigSchema } from './serve-config';
import type { ServeConfig } from './serve-config';
import type { Logger } from '../../src/logger-type';
import { silentLogger } from '../../src/engine/silent-logger';
import type { MediaOptions } from '../../src/media/options';
import { DEFAULT_MEDIA_OPTIONS } from '../../src/media/options';
import type { MediaFetchPolicy } from './media-fetch';

/**
 * Options of `lego serve` (the OpenAI-compatible server); every one defaulted in DEFAULT_SERVE_OPTIONS.
 * The `serve` config section's settings (host, port, body/text/token caps, Host/Origin lists, timeouts)
 * are described and defaulted once, in src/config/serve.ts.
 */
export interface OpenAiServerOptions extends ServeConfig {
  /** the `model` reported in responses; unset = the engine's name */
  modelName: string | undefined;
  /** most conversation turns in one request */
  maxTurns: number;
  /** time limit of one answer (ms), passed to the engine; 0 = the engine's own */
  requestTimeoutMs: number;
  /** media limits and ffmpeg settings for the images and videos in requests */
  media: MediaOptions;
  /** whether and where http(s) media URLs are fetched (never private addresses unless allowed) */
  fetch: MediaFetchPolicy;
  /** include Node's process metrics (event loop, memory, GC) in /metrics */
  processMetrics: boolean;
  logger: Logger;
}

const MiB = 1024 * 1024;

export const DEFAULT_SERVE_OPTIONS = {
  ...ServeConfigSchema.parse({}),
  modelName: undefined,
  maxTurns: 200,
  requestTimeoutMs: 120_000,
  media: DEFAULT_MEDIA_OPTIONS,
  fetch: { allowUrlFetch: false, allowPrivateAddresses: false, fetchTimeoutMs: 15_000, maxBytes: 32 * MiB, maxRedirects: 3 },
  processMetrics: true,
  logger: silentLogger,
} satisfies OpenAiServerOptions;

export type OpenAiServerOptionsInput = Partial<Omit<OpenAiServerOptions, 'fetch' | 'media'>> & {
  fetch?: Partial<MediaFetchPolicy>;
  media?: Partial<MediaOptions>;
};

export function resolveServeOptions(input: OpenAiServerOptionsInput = {}): OpenAiServerOptions {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as OpenAiServerOptionsInput;
  return {
    ...DEFAULT_SERVE_OPTIONS,
    ...defined,
    media: { ...DEFAULT_MEDIA_OPTIONS, ...input.media },
    fetch: { ...DEFAULT_SERVE_OPTIONS.fetch, ...input.fetch },
  };
}
