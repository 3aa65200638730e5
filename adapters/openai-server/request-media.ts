import type { MediaSpec, PreparedMedia } from '../../src/engine/types';
import { LegoError } from '../../src/errors';
import type { MediaOptions } from '../../src/media/options';
import { identifyMedia, prepareForEngine } from '../../src/media/prepare-for-engine';
import type { MediaRef } from './chat-request';
import { decodeDataUrl, fetchMediaUrl } from './media-fetch';
import type { MediaFetchPolicy } from './media-fetch';

/**
 * The request's image or video as the engine wants it: a data: URL decoded (or an allowed http(s) URL
 * fetched), identified from its bytes, prepared with the engine's MediaSpec. Throws LegoError with
 * `details.param` pointing at the content part.
 */
export async function prepareRequestMedia(
  ref: MediaRef,
  spec: MediaSpec,
  media: MediaOptions,
  fetch: MediaFetchPolicy,
  signal: AbortSignal,
): Promise<PreparedMedia> {
  try {
    const maxBytes = ref.kind === 'image' ? media.maxImageBytes : media.maxVideoBytes;
    const fetched = ref.url.startsWith('data:')
      ? decodeDataUrl(ref.url, maxBytes)
      : await fetchMediaUrl(ref.url, { ...fetch, maxBytes: Math.min(fetch.maxBytes, maxBytes) }, signal);
    // the one preparation path (src/media/prepare-for-engine.ts), as for chat messages
    const identified = identifyMedia(Buffer.from(fetched.bytes.buffer, fetched.bytes.byteOffset, fetched.bytes.byteLength), spec, media);
    return (await prepareForEngine(spec, identified.kind, identified.bytes, media, { signal })).prepared;
  } catch (error) {
    const e = LegoError.from(error);
    throw new LegoError(e.code, e.message, { retryable: e.retryable, userMessage: e.userMessage, cause: e, details: { ...e.details, param: ref.param } });
  }
}
