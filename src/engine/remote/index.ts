/** The remote engine: any OpenAI-compatible server as a GroundingEngine. */
export { RemoteEngine } from './remote-engine';
export { DEFAULT_REMOTE_ENGINE_OPTIONS, LEGO_7B_MEDIA } from './remote-options';
export type { RemoteEngineOptions, RemoteEngineOptionsInput } from './remote-options';
export { EndpointPool } from './endpoint-pool';
export type { BalanceStrategy, EndpointPoolOptions, EndpointState } from './endpoint-pool';
export { classifyHttpError, parseRetryAfter } from './remote-http-error';
export { tensorToPng, tensorToRgb } from './tensor-image';
export type * from './openai-wire';
