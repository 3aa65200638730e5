import type { Keyv } from 'keyv';
import { LegoError } from '../errors';
import type { ConversationStore } from './conversation-store';
import { isCorruptValue } from './keyv-json';
import { ConversationRecordSchema } from './record';
import type { ConversationRecord } from './record';
import { callStore } from './store-call';

export interface KeyvConversationStoreOptions {
  /** prefix of the keys (`<namespace>:conv:<key>`) */
  namespace: string;
  /** idle time after which a conversation expires */
  ttlMs: number;
  /** bound of one store call */
  timeoutMs: number;
}

/**
 * ConversationStore over any keyv instance (memory Map, SQLite, Redis). The keyv instance must throw
 * on errors (`throwOnErrors: true`), or a store that is down would read as "no conversation".
 */
export class KeyvConversationStore implements ConversationStore {
  readonly #keyv: Keyv;
  readonly #options: KeyvConversationStoreOptions;

  constructor(keyv: Keyv, options: KeyvConversationStoreOptions) {
    this.#keyv = keyv;
    this.#options = options;
  }

  #storeKey(key: string): string {
    return `${this.#options.namespace}:conv:${key}`;
  }

  async get(key: string): Promise<ConversationRecord | undefined> {
    const raw: unknown = await callStore('read conversation', this.#options.timeoutMs, () =>
      this.#keyv.get(this.#storeKey(key)),
    );
    if (raw === undefined || raw === null) return undefined;
    if (isCorruptValue(raw)) {
      throw new LegoError('store-corrupt', `conversation ${JSON.stringify(key)}: ${raw.reason}`, {
        details: { key },
      });
    }
    const parsed = ConversationRecordSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
      throw new LegoError('store-corrupt', `conversation ${JSON.stringify(key)} does not validate: ${problems.join('; ')}`, {
        cause: parsed.error,
        details: { key, problems },
      });
    }
    if (parsed.data.key !== key) {
      throw new LegoError('store-corrupt', `conversation ${JSON.stringify(key)} holds the record of ${JSON.stringify(parsed.data.key)}`, {
        details: { key },
      });
    }
    return parsed.data;
  }

  async set(key: string, record: ConversationRecord): Promise<void> {
    if (record.key !== key) {
      throw new LegoError('internal', `record of ${JSON.stringify(record.key)} written under ${JSON.stringify(key)}`);
    }
    const ok = await callStore('write conversation', this.#options.timeoutMs, () =>
      this.#keyv.set(this.#storeKey(key), record, this.#options.ttlMs),
    );
    if (!ok) throw new LegoError('store-unavailable', `write conversation ${JSON.stringify(key)}: the store refused it`);
  }

  async delete(key: string): Promise<boolean> {
    return callStore('delete conversation', this.#options.timeoutMs, () => this.#keyv.delete(this.#storeKey(key)));
  }
}
