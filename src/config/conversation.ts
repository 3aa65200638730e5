import { ConversationOptionsSchema } from '../conversation/options';
import { defineSection } from './section';

type Json = Record<string, unknown>;

/** The store kind implied by the settings present, or a sentence about the contradiction. */
export function settleStore(input: Json): { input: Json; problems: string[] } {
  const store = input.store;
  if (typeof store !== 'object' || store === null || Array.isArray(store)) return { input, problems: [] };
  const raw = store as Json;
  const url = raw.url !== undefined;
  const path = raw.path !== undefined;
  const kind = raw.kind;
  if (kind === undefined) {
    if (url && path) {
      return {
        input,
        problems: [
          'conversation.store: both LEGO_CONVERSATION_REDIS_URL and LEGO_CONVERSATION_SQLITE_PATH are set; choose one with LEGO_CONVERSATION_STORE=redis or =sqlite',
        ],
      };
    }
    return { input: { ...input, store: { ...raw, kind: url ? 'redis' : path ? 'sqlite' : 'memory' } }, problems: [] };
  }
  if (url && kind !== 'redis') {
    return {
      input,
      problems: [
        `conversation.store: LEGO_CONVERSATION_REDIS_URL is set but LEGO_CONVERSATION_STORE is '${String(kind)}', not 'redis'; set LEGO_CONVERSATION_STORE=redis to keep conversations in Redis, or unset the URL`,
      ],
    };
  }
  if (path && kind !== 'sqlite') {
    return {
      input,
      problems: [
        `conversation.store: LEGO_CONVERSATION_SQLITE_PATH is set but LEGO_CONVERSATION_STORE is '${String(kind)}', not 'sqlite'; set LEGO_CONVERSATION_STORE=sqlite to keep conversations in that file, or unset the path`,
      ],
    };
  }
  return { input, problems: [] };
}

/**
 * Conversation state: the conversation layer's own schema (src/conversation/options.ts). The store is
 * a union, so its settings have their own env names:
 *   LEGO_CONVERSATION_STORE=memory|sqlite|redis, LEGO_CONVERSATION_SQLITE_PATH=data/lego.sqlite,
 *   LEGO_CONVERSATION_REDIS_URL=redis://127.0.0.1:6379, LEGO_CONVERSATION_STORE_NAMESPACE,
 *   LEGO_CONVERSATION_STORE_TIMEOUT_MS, LEGO_CONVERSATION_SQLITE_BUSY_TIMEOUT_MS,
 *   LEGO_CONVERSATION_REDIS_CONNECT_TIMEOUT_MS.
 * Without LEGO_CONVERSATION_STORE the store follows from what is set: a Redis URL means redis, a
 * SQLite path means sqlite, nothing means memory. A URL or path that contradicts the store named is
 * an error that says so (it used to be zod's "Invalid discriminator value").
 */
export const conversationSection = defineSection({
  schema: ConversationOptionsSchema,
  skipEnv: ['store'],
  settle: settleStore,
  aliases: {
    LEGO_CONVERSATION_STORE: { path: ['store', 'kind'], type: 'string' },
    LEGO_CONVERSATION_SQLITE_PATH: { path: ['store', 'path'], type: 'string' },
    LEGO_CONVERSATION_REDIS_URL: { path: ['store', 'url'], type: 'string' },
    LEGO_CONVERSATION_STORE_NAMESPACE: { path: ['store', 'namespace'], type: 'string' },
    LEGO_CONVERSATION_STORE_TIMEOUT_MS: { path: ['store', 'timeoutMs'], type: 'number' },
    LEGO_CONVERSATION_SQLITE_BUSY_TIMEOUT_MS: { path: ['store', 'busyTimeoutMs'], type: 'number' },
    LEGO_CONVERSATION_REDIS_CONNECT_TIMEOUT_MS: { path: ['store', 'connectTimeoutMs'], type: 'number' },
  },
});
