import { createHash } from 'node:crypto';

/** Byte arrays at least this large have their hash remembered (media; small ones are cheaper to hash again). */
const REMEMBER_FROM_BYTES = 64 * 1024;

/**
 * The hash of each large byte array already hashed, by the array itself: an upload is hashed once,
 * although the web chat, the bot and the blob store each ask (a 5 MB photo costs ~3.5 ms a time). Media
 * bytes are never written after they have arrived; an entry goes with its array.
 */
const remembered = new WeakMap<Uint8Array, string>();

/** sha256 of media bytes, lowercase hex: the identity of a media in a conversation. */
export function contentHash(bytes: Uint8Array): string {
  if (bytes.byteLength < REMEMBER_FROM_BYTES) return createHash('sha256').update(bytes).digest('hex');
  let hash = remembered.get(bytes);
  if (hash === undefined) {
    hash = createHash('sha256').update(bytes).digest('hex');
    remembered.set(bytes, hash);
  }
  return hash;
}
