import type { ConversationRecord } from './record';

/**
 * The one seam between conversations and where they are kept. Implementations validate what they
 * read: a record that does not parse fails with LegoError 'store-corrupt'; a store that cannot be
 * reached fails with LegoError 'store-unavailable' (retryable) within a bounded time.
 */
export interface ConversationStore {
  /** The record, or undefined when there is none or it expired. */
  get(key: string): Promise<ConversationRecord | undefined>;
  /** Write the whole record; it expires after the store's idle TTL unless written again. */
  set(key: string, record: ConversationRecord): Promise<void>;
  /** true when there was a record to delete */
  delete(key: string): Promise<boolean>;
}
