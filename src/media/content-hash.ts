import { createHash } from 'node:crypto';

/** Lower-case hex SHA-256 of the bytes: the identity of a media file in caches and conversations. */
export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
