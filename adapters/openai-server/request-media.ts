import type { MediaSpec, PreparedMedia } from '../../src/engine/types';
import { LegoError } from '../../src/errors';
import type { MediaOptions } from '../../src/media/options';
import { prepareImage } from '../../src/media/prepare-image';
import { prepareVideo } from '../../src/media/prepare-video';
import { sniffMedia } from '../../src/media/sniff-media';
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
    const sniffed = sniffMedia(fetched.bytes.subarray(0, 512));
    if (sniffed === undefined) throw new LegoError('unsupported-media', `${ref.kind}: unknown bytes (declared ${fetched.mime ?? 'nothing'})`);
    if (sniffed.kind === 'image') {
      if (spec.image === null) throw new LegoError('unsupported-media', 'this model does not read images');
      return await prepareImage(fetched.bytes, spec.image, media);
    }
    if (sniffed.kind === 'video') {
      if (spec.video === null) throw new LegoError('unsupported-media', 'this model does not read videos');
      return await prepareVideo(fetched.bytes, spec.video, media, { signal });
    }
    throw new LegoError('unsupported-media', `${sniffed.format} is not an image or a video`);
  } catch (error) {
    const e = LegoError.from(error);
    throw new LegoError(e.code, e.message, { retryable: e.retryable, userMessage: e.userMessage, cause: e, details: { ...e.details, param: ref.param } });
  }
}
