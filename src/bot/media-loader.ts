import { LegoError } from '../errors';
import { contentHash, heldOnce } from '../conversation/content-hash';
import { collectSoon } from '../idle-collect';
import type { BlobStore } from '../conversation/blob-store';
import type { MediaContext, MediaSource } from '../conversation/record';
import type { MediaSpec, PreparedMedia } from '../engine/types';
import { abortedError, fileTooLargeError } from '../media/media-errors';
import type { MediaOptions } from '../media/options';
import { engineReads, identifyMedia, prepareForEngine, readMediaFile } from '../media/prepare-for-engine';
import type { EngineMediaKind, IdentifiedMedia } from '../media/prepare-for-engine';
import type { PreparedEntry } from './prepared-media-cache';
import { preparedMediaCache } from './prepared-media-cache';
import type { BoundedLru } from '../bounded-lru';
import type { ImageSize } from '../grounding/types';
import type { IncomingAttachment, IncomingMessage } from './types';

export interface MediaLoaderDeps {
  spec: MediaSpec;
  options: MediaOptions;
  fetchTimeoutMs: number;
  cacheEntries: number;
  /** byte budget of the prepared-media cache */
  cacheBytes: number;
  /** the size an image is shown back at (the annotated reply): images are decoded once, at that size */
  displaySize?: (size: ImageSize) => ImageSize;
}

/** An attachment downloaded and identified from its bytes. */
export type FetchedMedia = IdentifiedMedia;

/** Something of the conversation to fetch again: a media context, or the sound kept with one. */
interface Refetchable {
  id: number;
  kind: EngineMediaKind;
  source: MediaSource;
}

export interface LoadCall {
  signal?: AbortSignal | undefined;
  onStatus?: ((text: string) => void) | undefined;
}

function cacheKey(kind: string, hash: string): string {
  return `${kind}:${hash}`;
}

/** `promise`, or a rejection as soon as `signal` aborts (the work itself goes on for whoever else waits). */
function whileNotAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
}

/**
 * Media for the pipeline: downloads attachments (through the adapter's `fetch`, with the byte limit),
 * identifies them from their bytes, prepares them as the engine's MediaSpec says, and gets an earlier
 * media of the conversation back (tensor cache by content hash, else its source: the platform URL, the
 * blob store or a local file) for follow-ups.
 */
export class MediaLoader {
  readonly #deps: MediaLoaderDeps;
  readonly #cache: BoundedLru<string, PreparedEntry>;
  /** preparations under way, by cache key: a turn that asks for one being prepared ahead waits for it */
  readonly #preparing = new Map<string, Promise<PreparedEntry>>();

  constructor(deps: MediaLoaderDeps) {
    this.#deps = deps;
    this.#cache = preparedMediaCache(deps.cacheEntries, deps.cacheBytes);
  }

  /** The largest file accepted for an attachment that says it is `contentType`. */
  maxBytesFor(contentType: string | undefined): number {
    const { maxImageBytes, maxVideoBytes, maxAudioBytes } = this.#deps.options;
    if (contentType?.startsWith('image/') === true) return maxImageBytes;
    if (contentType?.startsWith('video/') === true) return maxVideoBytes;
    if (contentType?.startsWith('audio/') === true && engineReads(this.#deps.spec, 'audio')) return maxAudioBytes;
    return Math.max(maxImageBytes, maxVideoBytes);
  }

  /** Download an attachment and identify it. Throws polite LegoErrors (too-large, unsupported-media…). */
  async fetch(attachment: IncomingAttachment, call: LoadCall = {}): Promise<FetchedMedia> {
    const maxBytes = this.maxBytesFor(attachment.contentType);
    if (attachment.size !== undefined && attachment.size > maxBytes) {
      const declared = attachment.contentType?.split('/')[0];
      throw fileTooLargeError(declared === 'video' || declared === 'audio' ? declared : 'image', attachment.size, maxBytes);
    }
    let bytes: Buffer;
    try {
      bytes = await attachment.fetch({ signal: withTimeout(call.signal, this.#deps.fetchTimeoutMs), maxBytes });
    } catch (error) {
      if (LegoError.is(error)) throw error;
      if (call.signal?.aborted === true) throw new LegoError('aborted', 'download aborted', { cause: error });
      throw new LegoError('download-failed', `download of attachment ${attachment.id} failed`, { cause: error });
    }
    // the same photo downloaded again (sent twice, or in two channels): the copy already held
    return this.identify(heldOnce(bytes));
  }

  /** What the bytes are, whatever the name says; only kinds the engine reads are accepted. */
  identify(bytes: Buffer): FetchedMedia {
    return identifyMedia(bytes, this.#deps.spec, this.#deps.options, ['image', 'video', 'audio']);
  }

  /** Prepare fetched media for the engine and remember it by content hash. */
  async prepare(hash: string, media: FetchedMedia | { kind: EngineMediaKind; path: string }, call: LoadCall = {}): Promise<PreparedEntry> {
    const key = cacheKey(media.kind, hash);
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const under = this.#preparing.get(key);
    if (under !== undefined) return whileNotAborted(under, call.signal);
    const preparing = prepareForEngine(this.#deps.spec, media.kind, 'bytes' in media ? media.bytes : media.path, this.#deps.options, {
      ...call,
      displaySize: this.#deps.displaySize,
    }).then((entry) => {
      // the cache keeps what the model and the reply need (tensors, the picture at display size), not the
      // file: that is kept once, where it came from (the blob store, the platform's URL, the local file)
      const { bytes: _file, ...kept } = entry;
      this.#cache.set(key, entry.display === undefined ? entry : kept);
      return entry;
    });
    this.#preparing.set(key, preparing);
    try {
      return await preparing;
    } finally {
      this.#preparing.delete(key);
    }
  }

  /**
   * Start preparing an attachment that arrived ahead of the message naming it (the web chat's upload,
   * sent before its question): the turn then finds it prepared, or being prepared, by content hash
   * instead of decoding it only once the question is in. Best effort: a failure here is left for the turn
   * to meet and report. The decode runs under the decode budget like any other.
   */
  prepareAhead(attachment: IncomingAttachment): void {
    void (async () => {
      const fetched = await this.fetch(attachment);
      if (fetched.kind !== 'image') return; // images only: a video or a sound may be refused by the turn's limits before its work starts
      await this.prepare(contentHash(fetched.bytes), fetched);
      // what the upload and its decode allocated would make V8 collect during the answer: let it collect
      // now, while the question is typed (src/idle-collect.ts)
      collectSoon();
    })().catch(() => undefined);
  }

  /**
   * An earlier media context of the conversation, prepared: from the cache, else fetched again from its
   * source. Throws not-found (politely asking for the file again) when it cannot be had any more.
   */
  async forContext(media: MediaContext, message: IncomingMessage, blobs: BlobStore, call: LoadCall = {}): Promise<PreparedEntry> {
    const entry = await this.#again(media, media.hash, message, blobs, call);
    if (media.sound === null) return entry;
    // the sound sent with the image: one media context, both prepared
    const sound = await this.#again({ id: media.id, kind: 'audio', source: media.sound.source }, media.sound.hash, message, blobs, call);
    return sound.audio === undefined ? entry : { ...entry, audio: sound.audio };
  }

  async #again(what: Refetchable, hash: string, message: IncomingMessage, blobs: BlobStore, call: LoadCall): Promise<PreparedEntry> {
    const cached = this.#cache.get(cacheKey(what.kind, hash));
    if (cached !== undefined) return cached;
    const source = what.source;
    if (source.type === 'file') return this.prepare(hash, { kind: what.kind, path: source.path }, call);
    const bytes = await this.#refetch(what, message, blobs, call);
    return this.prepare(hash, { bytes, kind: what.kind, sniffed: this.identify(bytes).sniffed }, call);
  }

  /**
   * A stretch of a video context prepared on its own (a zoom in time): sampled again from the video's
   * source, not cached (a zoom is asked once).
   */
  async prepareClip(media: MediaContext, window: { start: number; end: number }, message: IncomingMessage, blobs: BlobStore, call: LoadCall = {}): Promise<PreparedMedia> {
    const source = media.source.type === 'file' ? media.source.path : await this.#refetch(media, message, blobs, call);
    const entry = await prepareForEngine(this.#deps.spec, 'video', source, this.#deps.options, { ...call, window });
    return entry.prepared;
  }

  /** The original bytes of an image context (for crops and annotated pictures). */
  async imageBytes(media: MediaContext, entry: PreparedEntry, message: IncomingMessage, blobs: BlobStore, call: LoadCall = {}): Promise<Buffer> {
    if (entry.bytes !== undefined) return entry.bytes;
    if (media.source.type === 'file') return readMediaFile(media.source.path, this.#deps.options.maxImageBytes);
    return this.#refetch(media, message, blobs, call);
  }

  async #refetch(media: Refetchable, message: IncomingMessage, blobs: BlobStore, call: LoadCall): Promise<Buffer> {
    const noun = media.kind === 'audio' ? 'sound' : media.kind;
    const gone = (detail: string, cause?: unknown): LegoError =>
      new LegoError('not-found', `media ${media.id} (${media.kind}) cannot be fetched again: ${detail}`, {
        cause,
        userMessage: `I no longer have that ${noun}; please send it again.`,
      });
    const { maxImageBytes, maxVideoBytes, maxAudioBytes } = this.#deps.options;
    const maxBytes = media.kind === 'image' ? maxImageBytes : media.kind === 'video' ? maxVideoBytes : maxAudioBytes;
    const source = media.source;
    switch (source.type) {
      case 'blob': {
        const blob = await blobs.get(source.key);
        if (blob === undefined) throw gone('blob expired or missing');
        return blob.bytes;
      }
      case 'url': {
        if (message.fetchUrl === undefined) throw gone('the adapter cannot fetch earlier files');
        try {
          const bytes = await message.fetchUrl(source.url, { signal: withTimeout(call.signal, this.#deps.fetchTimeoutMs), maxBytes });
          return bytes;
        } catch (error) {
          throw gone('download failed', error);
        }
      }
      case 'file':
        return readMediaFile(source.path, maxBytes, media.kind);
    }
  }
}
