export { OpenAiServer } from './openai-server';
export { DEFAULT_SERVE_OPTIONS, resolveServeOptions } from './serve-options';
export type { OpenAiServerOptions, OpenAiServerOptionsInput } from './serve-options';
export { ServeMetrics } from './serve-metrics';
export { serveCommand } from './serve-command';
export { isPrivateAddress, privateAddressList } from './address-policy';
export { decodeDataUrl, fetchMediaUrl } from './media-fetch';
export type { FetchedMedia, MediaFetchPolicy } from './media-fetch';
export { parseChatRequest } from './chat-request';
