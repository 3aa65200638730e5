import { ConversationOptionsSchema } from '../conversation/options';
import { defineSection } from './section';

/**
 * Conversation state: the conversation layer's own schema (src/conversation/options.ts). The store is
 * a union, so its settings have their own env names:
 *   LEGO_CONVERSATION_STORE=memory|sqlite|redis, LEGO_CONVERSATION_SQLITE_PATH=data/lego.sqlite,
 *   LEGO_CONVERSATION_REDIS_URL=redis://127.0.0.1:6379, LEGO_CONVERSATION_STORE_NAMESPACE,
 *   LEGO_CONVERSATION_STORE_TIMEOUT_MS, LEGO_CONVERSATION_SQLITE_BUSY_TIMEOUT_MS,
 *   LEGO_CONVERSATION_REDIS_CONNECT_TIMEOUT_MS.
 */
export const conversationSection = defineSection({
  schema: ConversationOptionsSchema,
  skipEnv: ['store'],
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
