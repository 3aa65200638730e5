import { silentLogger } from '../silent-logger';
import type { Logger } from '../../logger-type';
import type { MediaSpec } from '../types';
import type { GroundingSyntaxChoice } from '../../grounding/syntaxes/syntax-registry';
import type { QwenResizeOptions } from '../../grounding/syntaxes/types';
import type { MediaOptions } from '../../media/options';
import { DEFAULT_MEDIA_OPTIONS } from '../../media/options';
import type { BalanceStrategy } from './endpoint-pool';
import type { RemoteProfileName } from './remote-profile';
import type { SourceImageSpec } from '../types';

/** Options of RemoteEngine; every one defaulted in DEFAULT_REMOTE_ENGINE_OPTIONS (the config section mirrors them). */
export interface RemoteEngineOptions {
  /** base URLs of OpenAI-compatible servers (`http://host:port` or `…/v1`) */
  endpoints: string[];
  /** the `model` sent; unset = the first id of the server's /v1/models, else 'lego' */
  model: string | undefined;
  /** sent as `Authorization: Bearer …` when set (never logged) */
  apiKey: string | undefined;
  /** how requests are spread over healthy endpoints */
  balance: BalanceStrategy;
  /**
   * the model family (src/engine/remote/profile-table.ts): how media are sent, the grounding prompt,
   * the answers' syntax and frame; `auto` = chosen by the served model's name (unknown names: `lego`)
   */
  profile: RemoteProfileName | 'auto';
  /** overrides of the profile's image budget (e.g. a server started with a smaller `max_pixels`) */
  imageBudget: Partial<SourceImageSpec>;
  /** the grounding syntax of the remote model's answers; `auto` = the profile's */
  syntax: GroundingSyntaxChoice;
  /** Qwen2.5-VL's resize assumption (see src/grounding/syntaxes/qwen25-vl-syntax.ts) */
  qwenResize: Partial<QwenResizeOptions>;
  /** how media are prepared for the remote model; unset = asked from `lego serve`'s /v1/models, else LEGO-7B's */
  media: MediaSpec | undefined;
  /** until the response headers arrive (connect + queue at the server), ms */
  connectTimeoutMs: number;
  /** longest silence between two streamed chunks, ms */
  idleTimeoutMs: number;
  /** whole answer, ms, when the request sets none; 0 = none */
  timeoutMs: number;
  /** attempts per request over all endpoints (retryable failures only, before any text) */
  maxAttempts: number;
  /** first back-off between attempts, ms (doubles, with jitter) */
  retryBaseMs: number;
  /** longest back-off and longest Retry-After honoured, ms */
  retryMaxMs: number;
  /** consecutive failures that mark an endpoint down */
  failureThreshold: number;
  /** first time an endpoint stays down before it is probed, ms (doubles up to maxDownMs) */
  downMs: number;
  maxDownMs: number;
  /** path probed to bring a down endpoint back; any HTTP answer below 500 counts as up */
  healthPath: string;
  probeTimeoutMs: number;
  /** how often down endpoints are probed in the background, ms; 0 = only when a request needs them */
  healthCheckIntervalMs: number;
  /** ffmpeg and temp folder for sending videos */
  mediaOptions: MediaOptions;
  logger: Logger;
}

/** CLIP's per-channel normalisation, shared by LEGO-7B's encoders and lego-tiny. */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/** LEGO-7B's inputs: CLIP ViT-L/14-336 images, 64 frames of 224 px. */
export const LEGO_7B_MEDIA: MediaSpec = {
  image: { size: 336, padRgb: [122, 116, 104], mean: CLIP_MEAN, std: CLIP_STD },
  video: { size: 224, padRgb: [122, 116, 104], mean: CLIP_MEAN, std: CLIP_STD, frames: 64 },
  audio: null,
};

export const DEFAULT_REMOTE_ENGINE_OPTIONS = {
  endpoints: ['http://127.0.0.1:8090'],
  model: undefined,
  apiKey: undefined,
  balance: 'least-in-flight',
  profile: 'auto',
  imageBudget: {},
  syntax: 'auto',
  qwenResize: {},
  media: undefined,
  connectTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  timeoutMs: 120_000,
  maxAttempts: 3,
  retryBaseMs: 250,
  retryMaxMs: 10_000,
  failureThreshold: 1,
  downMs: 2_000,
  maxDownMs: 60_000,
  healthPath: '/healthz',
  probeTimeoutMs: 2_000,
  healthCheckIntervalMs: 10_000,
  mediaOptions: DEFAULT_MEDIA_OPTIONS,
  logger: silentLogger,
} as const satisfies RemoteEngineOptions;

export type RemoteEngineOptionsInput = Partial<RemoteEngineOptions>;
