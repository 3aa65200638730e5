import type { Keyv } from 'keyv';
import { z } from 'zod';
import { LegoError } from '../errors';
import { contentHash } from './content-hash';
import { isCorruptValue } from './keyv-json';
import { callStore } from './store-call';

/** A stored blob: its key is the sha256 of its bytes. */
export interface BlobRef {
  key: string;
  mime: string;
  byteLength: number;
}

export interface BlobContent {
  bytes: Buffer;
  mime: string;
}

/**
 * A small store of media bytes with its own TTL, for media that cannot be fetched again by URL. The
 * conversation record keeps only `{type: 'blob', key}`; bytes never go into a conversation record.
 */
export interface BlobStore {
  put(bytes: Uint8Array, mime: string): Promise<BlobRef>;
  /** undefined when missing or expired (or unreadable) */
  get(key: string): Promise<BlobContent | undefined>;
  delete(key: string): Promise<boolean>;
}

const StoredBlobSchema = z.object({ mime: z.string().min(1), data: z.string() });

export interface KeyvBlobStoreOptions {
  namespace: string;
  ttlMs: number;
  maxBytes: number;
  timeoutMs: number;
}

/** BlobStore over keyv; bytes are kept as base64 text so every keyv backend can hold them. */
export class KeyvBlobStore implements BlobStore {
  readonly #keyv: Keyv;
  readonly #options: KeyvBlobStoreOptions;

  constructor(keyv: Keyv, options: KeyvBlobStoreOptions) {
    this.#keyv = keyv;
    this.#options = options;
  }

  #storeKey(key: string): string {
    return `${this.#options.namespace}:blob:${key}`;
  }

  async put(bytes: Uint8Array, mime: string): Promise<BlobRef> {
    if (bytes.byteLength > this.#options.maxBytes) {
      throw new LegoError('too-large', `blob of ${bytes.byteLength} bytes is over the limit of ${this.#options.maxBytes}`, {
        details: { byteLength: bytes.byteLength, maxBytes: this.#options.maxBytes },
      });
    }
    const key = contentHash(bytes);
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    const ok = await callStore('write blob', this.#options.timeoutMs, () =>
      this.#keyv.set(this.#storeKey(key), { mime, data }, this.#options.ttlMs),
    );
    if (!ok) throw new LegoError('store-unavailable', 'write blob: the store refused it');
    return { key, mime, byteLength: bytes.byteLength };
  }

  async get(key: string): Promise<BlobContent | undefined> {
    const raw: unknown = await callStore('read blob', this.#options.timeoutMs, () => this.#keyv.get(this.#storeKey(key)));
    if (raw === undefined || raw === null || isCorruptValue(raw)) return undefined;
    const parsed = StoredBlobSchema.safeParse(raw);
    if (!parsed.success) return undefined;
    const bytes = Buffer.from(parsed.data.data, 'base64');
    if (contentHash(bytes) !== key) return undefined;
    return { bytes, mime: parsed.data.mime };
  }

  async delete(key: string): Promise<boolean> {
    return callStore('delete blob', this.#options.timeoutMs, () => this.#keyv.delete(this.#storeKey(key)));
  }
}
