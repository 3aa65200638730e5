/** The conversation layer: multi-turn state, region memory, keyv stores, leases, queues, commands. */
export { parseConversationOptions, ConversationOptionsSchema, StoreOptionsSchema, QueueStrategySchema } from './options';
export type { ConversationOptions, ConversationOptionsInput, StoreOptions, QueueStrategy } from './options';
export { CONVERSATION_SCHEMA_VERSION, ConversationRecordSchema, createConversationRecord } from './record';
export type {
  BoxRegion, ConversationRecord, CropRect, MediaContext, MediaSource, Region, SpanRegion, StoredTurn,
} from './record';
export type { ConversationStore } from './conversation-store';
export type { ConversationLeases } from './conversation-leases';
export { KeyvConversationStore } from './keyv-conversation-store';
export type { KeyvConversationStoreOptions } from './keyv-conversation-store';
export { KeyvBlobStore } from './blob-store';
export { MemoryBlobStore } from './memory-blob-store';
export type { MemoryBlobStoreOptions } from './memory-blob-store';
export type { BlobContent, BlobRef, BlobStore, KeyvBlobStoreOptions } from './blob-store';
export { MemoryLeases } from './memory-leases';
export { RedisLeases } from './redis-leases';
export type { RedisSend } from './redis-leases';
export { SqliteLeases } from './sqlite-leases';
export type { SqliteQuery } from './sqlite-leases';
export { openStoreBackend } from './store-backend';
export type { StoreBackend, StoreBackendSettings } from './store-backend';
export { contentHash } from './content-hash';
export { ConversationSession } from './conversation-session';
export type { AnswerInput, NewMedia, SessionSettings, TurnPlan, UserTurnInput } from './conversation-session';
export { ConversationManager } from './conversation-manager';
export type {
  ConversationEvent, ConversationManagerDeps, ConversationManagerSettings, WithConversationOptions,
} from './conversation-manager';
export { ConversationQueue } from './conversation-queue';
export type { ConversationQueueOptions, QueueOutcome } from './conversation-queue';
export { GenerationLimiter } from './generation-limiter';
export type { GenerationLimiterOptions } from './generation-limiter';
export { createConversationRuntime } from './conversation-runtime';
export type { ConversationRuntime, ConversationRuntimeHooks } from './conversation-runtime';
export { parseReferences } from './reference-parser';
export type { ReferenceHint, ReferenceIntent, ReferenceItem, ReferenceKind, ReferencePhrase } from './reference-parser';
export { resolveReferences } from './reference-resolver';
export type { ReferenceResolution, ResolveSettings } from './reference-resolver';
export { zoomCrop, unionPixelBox, cropPixelsToImage, cropBoxToImage } from './zoom';
export type { ZoomSettings } from './zoom';
export { applyRetention } from './retention-policy';
export type { RetentionLimits } from './retention-policy';
export { selectRequestTurns, estimateTokens } from './request-turns';
export type { RequestTurns, TokenBudget } from './request-turns';
export { parseCommand } from './command';
export type { Command, CommandName } from './command';
export { helpText } from './help-text';
export { describeMemory, describeRegion, describeRegions } from './memory-summary';
