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

/** Large byte arrays alive in this process by their hash (`heldOnce`): held weakly, an entry goes with its array. */
const alive = new Map<string, WeakRef<Uint8Array>>();
const forget = new FinalizationRegistry<string>((hash) => {
  if (alive.get(hash)?.deref() === undefined) alive.delete(hash);
});

/**
 * The same bytes held once: when a byte array with the same content is already alive in this process
 * (a photo sent again, the store's copy of an upload), that one; otherwise `bytes`, remembered. An
 * adapter calls it as an upload or download arrives, so that the bytes it just read can go at once
 * instead of living beside the copy the conversation store keeps until the turn is answered. Small
 * arrays are returned as they are.
 */
export function heldOnce<T extends Uint8Array>(bytes: T): T {
  if (bytes.byteLength < REMEMBER_FROM_BYTES) return bytes;
  const hash = contentHash(bytes);
  const held = alive.get(hash)?.deref();
  if (held !== undefined && held !== bytes && held.byteLength === bytes.byteLength && held.constructor === bytes.constructor) return held as T;
  if (held === undefined) {
    alive.set(hash, new WeakRef(bytes));
    forget.register(bytes, hash);
  }
  return bytes;
}
