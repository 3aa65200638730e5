import { BoundedLru } from '../bounded-lru';
import { LegoError } from '../errors';
import type { BlobContent, BlobRef, BlobStore } from './blob-store';
import { contentHash, heldOnce } from './content-hash';

export interface MemoryBlobStoreOptions {
  ttlMs: number;
  /** largest blob accepted */
  maxBytes: number;
  /** bytes all blobs may hold; the least recently used go first */
  maxTotalBytes: number;
}

interface Kept {
  bytes: Buffer;
  mime: string;
}

/**
 * The memory store's blobs: the bytes themselves (the caller's Buffer, not a copy, not base64 text) in
 * one LRU bounded by their total bytes, with a time-to-live. An upload that an adapter already holds
 * costs no second copy here, and reading it back is a lookup (nothing to decode or verify: nothing
 * outside this process writes it).
 */
export class MemoryBlobStore implements BlobStore {
  readonly #blobs: BoundedLru<string, Kept>;
  readonly #maxBytes: number;

  constructor(options: MemoryBlobStoreOptions) {
    this.#maxBytes = options.maxBytes;
    this.#blobs = new BoundedLru<string, Kept>({ maxSize: options.maxTotalBytes, sizeOf: (kept) => kept.bytes.length, ttlMs: options.ttlMs });
  }

  async put(bytes: Uint8Array, mime: string): Promise<BlobRef> {
    if (bytes.byteLength > this.#maxBytes) {
      throw new LegoError('too-large', `blob of ${bytes.byteLength} bytes is over the limit of ${this.#maxBytes}`, {
        details: { byteLength: bytes.byteLength, maxBytes: this.#maxBytes },
      });
    }
    const key = contentHash(bytes);
    const same = this.#blobs.get(key);
    const kept = same?.bytes ?? heldOnce(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    // over the whole budget by itself: not kept (follow-ups then ask for the file again), as the keyv stores' refusal
    if (!this.#blobs.set(key, { bytes: kept, mime })) throw new LegoError('store-unavailable', 'write blob: over the memory store\'s blob budget');
    return { key, mime, byteLength: bytes.byteLength };
  }

  async get(key: string): Promise<BlobContent | undefined> {
    const kept = this.#blobs.get(key);
    return kept === undefined ? undefined : { bytes: kept.bytes, mime: kept.mime };
  }

  async delete(key: string): Promise<boolean> {
    return this.#blobs.delete(key);
  }

  /** Bytes held now. */
  get totalBytes(): number {
    return this.#blobs.totalSize;
  }
}
