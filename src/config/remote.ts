import { z } from 'zod';
import { GROUNDING_SYNTAX_NAMES } from '../grounding/syntaxes/syntax-registry';
import { DEFAULT_REMOTE_ENGINE_OPTIONS, LEGO_7B_MEDIA } from '../engine/remote/remote-options';
import { REMOTE_PROFILE_NAMES } from '../engine/remote/remote-profile';
import type { RemoteEngineOptionsInput } from '../engine/remote/remote-options';
import { defineSection } from './section';

const D = DEFAULT_REMOTE_ENGINE_OPTIONS;
const ms = z.number().int().nonnegative();

/**
 * The remote engine (`engine.kind = remote`): an OpenAI-compatible server — `lego serve`, vLLM, SGLang,
 * Ollama (`http://host:11434/v1`), LMDeploy, TGI — asked over HTTP with streaming. Environment:
 * LEGO_REMOTE_ENDPOINTS=http://gpu1:8090,http://gpu2:8090, LEGO_REMOTE_MODEL, LEGO_REMOTE_API_KEY,
 * LEGO_REMOTE_PROFILE=auto|lego|qwen2.5-vl|qwen3-vl|gemini|florence-2|kosmos-2|…, LEGO_REMOTE_MAX_PIXELS,
 * LEGO_REMOTE_SYNTAX, LEGO_REMOTE_BALANCE, LEGO_REMOTE_TIMEOUT_MS, …
 */
export const RemoteConfigSchema = z.object({
  endpoints: z
    .array(z.string().url())
    .min(1)
    .default([...D.endpoints])
    .describe('base URLs of the servers (http://host:port or …/v1), comma-separated in the environment'),
  model: z.string().min(1).optional().describe('model name sent in requests (default: the server’s first /v1/models id)'),
  apiKey: z.string().min(1).optional().describe('bearer token for the servers (never logged)'),
  balance: z.enum(['round-robin', 'least-in-flight']).default(D.balance).describe('how requests are spread over healthy endpoints'),
  profile: z
    .enum(['auto', ...REMOTE_PROFILE_NAMES])
    .default(D.profile)
    .describe('model family: how media are sent, the grounding prompt, the answers’ syntax and frame (auto = from the served model’s name)'),
  maxPixels: z.number().int().positive().optional().describe('largest image area sent to a non-LEGO model, pixels (default: the profile’s; at most the server’s max_pixels for Qwen2.5-VL)'),
  maxSide: z.number().int().positive().optional().describe('longest image side sent to a non-LEGO model, pixels (default: the profile’s)'),
  syntax: z
    .enum(['auto', ...GROUNDING_SYNTAX_NAMES] as [string, ...string[]])
    .default(D.syntax)
    .describe('grounding syntax of the remote model’s answers (auto = the profile’s)'),
  qwenResizedWidth: z.number().int().positive().optional().describe('Qwen2.5-VL: width its processor resized the image to (default: smart_resize)'),
  qwenResizedHeight: z.number().int().positive().optional().describe('Qwen2.5-VL: height its processor resized the image to (default: smart_resize)'),
  imageSize: z.number().int().positive().optional().describe('side of the square images are sent at (default: the server’s media spec, else 336)'),
  connectTimeoutMs: ms.default(D.connectTimeoutMs).describe('time limit until response headers, ms'),
  idleTimeoutMs: ms.default(D.idleTimeoutMs).describe('longest silence in a streamed answer, ms'),
  timeoutMs: ms.default(D.timeoutMs).describe('time limit of a whole answer, ms (0 = none)'),
  maxAttempts: z.number().int().min(1).max(10).default(D.maxAttempts).describe('attempts per request over all endpoints (retryable failures only)'),
  retryBaseMs: ms.default(D.retryBaseMs).describe('first back-off between attempts, ms (doubles with jitter)'),
  retryMaxMs: ms.default(D.retryMaxMs).describe('longest back-off and longest Retry-After honoured, ms'),
  failureThreshold: z.number().int().min(1).default(D.failureThreshold).describe('consecutive failures that mark an endpoint down'),
  downMs: ms.default(D.downMs).describe('how long a failed endpoint rests before it is probed, ms (doubles while it keeps failing)'),
  healthPath: z.string().startsWith('/').default(D.healthPath).describe('path probed to bring an endpoint back (/healthz for lego serve, /health for vLLM/TGI)'),
  healthCheckIntervalMs: ms.default(D.healthCheckIntervalMs).describe('how often down endpoints are probed in the background, ms (0 = on demand only)'),
});

export type RemoteConfig = z.output<typeof RemoteConfigSchema>;

export const remoteSection = defineSection({
  schema: RemoteConfigSchema,
  aliases: { LEGO_REMOTE_ENDPOINTS: { path: ['endpoints'], type: 'list' } },
  skipEnv: ['endpoints'],
});

/** The RemoteEngine options a validated `remote` section asks for (media and model are discovered when unset). */
export function remoteEngineOptions(config: RemoteConfig): RemoteEngineOptionsInput {
  const qwenResize =
    config.qwenResizedWidth !== undefined && config.qwenResizedHeight !== undefined
      ? { resizedSize: { width: config.qwenResizedWidth, height: config.qwenResizedHeight } }
      : {};
  const image = LEGO_7B_MEDIA.image!;
  const media = config.imageSize === undefined ? {} : { media: { ...LEGO_7B_MEDIA, image: { ...image, size: config.imageSize } } };
  return {
    ...media,
    endpoints: config.endpoints,
    model: config.model,
    apiKey: config.apiKey,
    balance: config.balance,
    profile: config.profile,
    imageBudget: {
      ...(config.maxPixels === undefined ? {} : { maxPixels: config.maxPixels }),
      ...(config.maxSide === undefined ? {} : { maxSide: config.maxSide }),
    },
    syntax: config.syntax as RemoteEngineOptionsInput['syntax'] & string,
    qwenResize,
    connectTimeoutMs: config.connectTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    timeoutMs: config.timeoutMs,
    maxAttempts: config.maxAttempts,
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
    failureThreshold: config.failureThreshold,
    downMs: config.downMs,
    healthPath: config.healthPath,
    healthCheckIntervalMs: config.healthCheckIntervalMs,
  };
}
