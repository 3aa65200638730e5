import type { MediaSpec, PreparedAudio, PreparedMedia } from '../../src/engine/types';
import { prepareSound } from '../../src/media/audio-prepare';
import { fileTooLargeError } from '../../src/media/media-errors';
import { LegoError } from '../../src/errors';
import type { MediaOptions } from '../../src/media/options';
import { identifyMedia, prepareForEngine } from '../../src/media/prepare-for-engine';
import type { AudioRef, MediaRef } from './chat-request';
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

/** Said when the model has no audio encoder. */
export const NO_EARS_TEXT = 'Sorry, this model cannot listen to sounds; please send images and videos instead.';
const FORMATS: ReadonlySet<string> = new Set(['wav', 'mp3', 'ogg', 'opus', 'flac', 'm4a', 'aac', 'webm']);

/**
 * The request's `input_audio` part as the audio encoder takes it: the base64 bytes decoded (the byte limit
 * checked from the length first), decoded by ffmpeg whatever `format` says, clipped and featurised (the
 * media options' audio limits; silence, damage and length each get their sentence). Throws LegoError with
 * `details.param` pointing at the content part.
 */
export async function prepareRequestAudio(ref: AudioRef, spec: MediaSpec, media: MediaOptions, signal: AbortSignal): Promise<PreparedAudio> {
  try {
    if (spec.audio === null) throw new LegoError('unsupported-media', 'the model has no audio encoder', { userMessage: NO_EARS_TEXT });
    const format = ref.format.toLowerCase();
    if (!FORMATS.has(format)) {
      throw new LegoError('bad-input', `input_audio.format "${ref.format}" is not one of ${[...FORMATS].join(', ')}`, {
        userMessage: `Sorry, I cannot read sounds in the format "${ref.format}"; please send wav or mp3.`,
      });
    }
    const declared = Math.floor((ref.data.length * 3) / 4);
    if (declared > media.maxAudioBytes + 3) throw fileTooLargeError('audio', declared, media.maxAudioBytes);
    if (!/^[A-Za-z0-9+/=\s_-]+$/.test(ref.data)) {
      throw new LegoError('bad-input', 'input_audio.data is not base64', { userMessage: 'Sorry, that sound was not sent as base64 data.' });
    }
    const bytes = Buffer.from(ref.data, 'base64');
    if (bytes.length > media.maxAudioBytes) throw fileTooLargeError('audio', bytes.length, media.maxAudioBytes);
    return await prepareSound(bytes, spec.audio, media, { signal });
  } catch (error) {
    const e = LegoError.from(error);
    throw new LegoError(e.code, e.message, { retryable: e.retryable, userMessage: e.userMessage, cause: e, details: { ...e.details, param: `${ref.param}.input_audio` } });
  }
}
