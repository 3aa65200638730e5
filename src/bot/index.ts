/** The pipeline every adapter uses: IncomingMessage → BotHandler.handle → Reply. */
export type {
  Adapter, BotHandler, IncomingAttachment, IncomingMessage, Platform, Reply, ReplyBox, ReplyFile, ReplyProgress, ReplySpan,
} from './types';
export { Bot } from './bot';
export type { BotConfigSections, CreateBotOptions } from './bot';
export { createBot } from './create-bot';
export { openEngine, ENGINE_FACTORIES } from './open-engine';
export type { EngineFactory } from './open-engine';
export { numberRegions } from './numbered-text';
export type { NumberedRegion } from './numbered-text';
export { MediaLoader } from './media-loader';
export type { FetchedMedia, LoadCall, MediaLoaderDeps } from './media-loader';
export { preparedMediaCache } from './prepared-media-cache';
export type { PreparedEntry } from './prepared-media-cache';
export { errorReply, skippedReply, textReply } from './reply-parts';
