import { createHash } from 'node:crypto';

/** sha256 of media bytes, lowercase hex: the identity of a media in a conversation. */
export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
