/** The local web chat adapter. */
export { WebAdapter } from './web-adapter';
export type { WebAdapterDeps } from './web-adapter';
export { DEFAULT_WEB_ADAPTER_OPTIONS, resolveWebAdapterOptions } from './web-options';
export type { WebAdapterOptions, WebAdapterOptionsInput } from './web-options';
export type { WebReply, WebReplyFile } from './web-reply';
