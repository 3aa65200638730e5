import { readFile, stat } from 'node:fs/promises';
import { LegoError } from '../errors';
import type { BlobStore } from '../conversation/blob-store';
import type { MediaContext } from '../conversation/record';
import type { MediaSpec } from '../engine/types';
import { emptyFileError, fileTooLargeError, unsupportedMediaError } from '../media/media-errors';
import type { MediaOptions } from '../media/options';
import { prepareImageFor, prepareSourceVideo } from '../media/source-media';
import { prepareSampledVideo } from '../media/prepare-video';
import { sampleVideo } from '../media/sample-video';
import { SNIFF_BYTES, sniffMedia } from '../media/sniff-media';
import type { SniffedMedia } from '../media/sniff-media';
import type { PreparedEntry } from './prepared-media-cache';
import { PreparedMediaCache } from './prepared-media-cache';
import type { IncomingAttachment, IncomingMessage } from './types';

/** Sampled frames are kept at most this size for the timeline's keyframes (the tensor is at the spec's size). */
const KEYFRAME_SIDE = 320;

export interface MediaLoaderDeps {
  spec: MediaSpec;
  options: MediaOptions;
  fetchTimeoutMs: number;
  cacheEntries: number;
}

/** An attachment downloaded and identified from its bytes. */
export interface FetchedMedia {
  bytes: Buffer;
  kind: 'image' | 'video';
  sniffed: SniffedMedia;
}

export interface LoadCall {
  signal?: AbortSignal | undefined;
  onStatus?: ((text: string) => void) | undefined;
}

function cacheKey(kind: string, hash: string): string {
  return `${kind}:${hash}`;
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
  readonly #cache: PreparedMediaCache;

  constructor(deps: MediaLoaderDeps) {
    this.#deps = deps;
    this.#cache = new PreparedMediaCache(deps.cacheEntries);
  }

  /** The largest file accepted for an attachment that says it is `contentType`. */
  maxBytesFor(contentType: string | undefined): number {
    const { maxImageBytes, maxVideoBytes } = this.#deps.options;
    if (contentType?.startsWith('image/') === true) return maxImageBytes;
    if (contentType?.startsWith('video/') === true) return maxVideoBytes;
    return Math.max(maxImageBytes, maxVideoBytes);
  }

  /** Download an attachment and identify it. Throws polite LegoErrors (too-large, unsupported-media…). */
  async fetch(attachment: IncomingAttachment, call: LoadCall = {}): Promise<FetchedMedia> {
    const maxBytes = this.maxBytesFor(attachment.contentType);
    if (attachment.size !== undefined && attachment.size > maxBytes) {
      throw fileTooLargeError(attachment.contentType?.startsWith('video/') === true ? 'video' : 'image', attachment.size, maxBytes);
    }
    let bytes: Buffer;
    try {
      bytes = await attachment.fetch({ signal: withTimeout(call.signal, this.#deps.fetchTimeoutMs), maxBytes });
    } catch (error) {
      if (LegoError.is(error)) throw error;
      if (call.signal?.aborted === true) throw new LegoError('aborted', 'download aborted', { cause: error });
      throw new LegoError('download-failed', `download of attachment ${attachment.id} failed`, { cause: error });
    }
    return this.identify(bytes);
  }

  /** What the bytes are, whatever the name says; only kinds the engine reads are accepted. */
  identify(bytes: Buffer): FetchedMedia {
    if (bytes.length === 0) throw emptyFileError();
    const sniffed = sniffMedia(bytes.subarray(0, SNIFF_BYTES));
    const { spec, options } = this.#deps;
    if (sniffed === undefined) throw unsupportedMediaError('unknown bytes: not an image or video we read', spec.video === null ? 'image' : 'media');
    if (sniffed.kind === 'image' && spec.image !== null) {
      if (bytes.length > options.maxImageBytes) throw fileTooLargeError('image', bytes.length, options.maxImageBytes);
      return { bytes, kind: 'image', sniffed };
    }
    if (sniffed.kind === 'video' && spec.video !== null) {
      if (bytes.length > options.maxVideoBytes) throw fileTooLargeError('video', bytes.length, options.maxVideoBytes);
      return { bytes, kind: 'video', sniffed };
    }
    const reads = [spec.image !== null ? 'images' : null, spec.video !== null ? 'videos' : null].filter((x) => x !== null).join(' and ');
    throw new LegoError('unsupported-media', `got ${sniffed.kind}/${sniffed.format}; the engine reads ${reads}`, {
      userMessage: `Sorry, I cannot read ${sniffed.kind} files with this model; send me ${reads || 'something else'}.`,
    });
  }

  /** Prepare fetched media for the engine and remember it by content hash. */
  async prepare(hash: string, media: FetchedMedia | { kind: 'image' | 'video'; path: string }, call: LoadCall = {}): Promise<PreparedEntry> {
    const key = cacheKey(media.kind, hash);
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const entry = 'bytes' in media ? await this.#prepareBytes(media.kind, media.bytes, call) : await this.#preparePath(media.kind, media.path, call);
    this.#cache.set(key, entry);
    return entry;
  }

  /**
   * An earlier media context of the conversation, prepared: from the cache, else fetched again from its
   * source. Throws not-found (politely asking for the file again) when it cannot be had any more.
   */
  async forContext(media: MediaContext, message: IncomingMessage, blobs: BlobStore, call: LoadCall = {}): Promise<PreparedEntry> {
    if (media.kind === 'audio') throw new LegoError('unsupported-media', 'audio contexts are not supported');
    const cached = this.#cache.get(cacheKey(media.kind, media.hash));
    if (cached !== undefined) return cached;
    const source = media.source;
    if (source.type === 'file') return this.prepare(media.hash, { kind: media.kind, path: source.path }, call);
    const bytes = await this.#refetch(media, message, blobs, call);
    return this.prepare(media.hash, { bytes, kind: media.kind, sniffed: this.identify(bytes).sniffed }, call);
  }

  /** The original bytes of an image context (for crops and annotated pictures). */
  async imageBytes(media: MediaContext, entry: PreparedEntry, message: IncomingMessage, blobs: BlobStore, call: LoadCall = {}): Promise<Buffer> {
    if (entry.bytes !== undefined) return entry.bytes;
    if (media.source.type === 'file') return this.#readFile(media.source.path, this.#deps.options.maxImageBytes);
    return this.#refetch(media, message, blobs, call);
  }

  async #refetch(media: MediaContext, message: IncomingMessage, blobs: BlobStore, call: LoadCall): Promise<Buffer> {
    const gone = (detail: string, cause?: unknown): LegoError =>
      new LegoError('not-found', `media ${media.id} (${media.kind}) cannot be fetched again: ${detail}`, {
        cause,
        userMessage: `I no longer have that ${media.kind}; please send it again.`,
      });
    const maxBytes = media.kind === 'image' ? this.#deps.options.maxImageBytes : this.#deps.options.maxVideoBytes;
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
        return this.#readFile(source.path, maxBytes);
    }
  }

  async #readFile(path: string, maxBytes: number): Promise<Buffer> {
    try {
      const info = await stat(path);
      if (info.size > maxBytes) throw fileTooLargeError('image', info.size, maxBytes);
      return await readFile(path);
    } catch (error) {
      if (LegoError.is(error)) throw error;
      throw new LegoError('not-found', `cannot read ${path}`, { cause: error, userMessage: 'Sorry, I could not read that file any more.' });
    }
  }

  async #prepareBytes(kind: 'image' | 'video', bytes: Buffer, call: LoadCall): Promise<PreparedEntry> {
    const { spec, options } = this.#deps;
    if (kind === 'image') {
      return { prepared: await prepareImageFor(spec, bytes, options), bytes };
    }
    return this.#prepareVideo(bytes, call);
  }

  async #preparePath(kind: 'image' | 'video', path: string, call: LoadCall): Promise<PreparedEntry> {
    if (kind === 'image') return this.#prepareBytes('image', await this.#readFile(path, this.#deps.options.maxImageBytes), call);
    return this.#prepareVideo(path, call);
  }

  async #prepareVideo(source: Buffer | string, call: LoadCall): Promise<PreparedEntry> {
    const { spec, options } = this.#deps;
    if (spec.video === null) throw unsupportedMediaError('the engine reads no videos', 'image');
    call.onStatus?.('Reading the video…');
    const budget = spec.source?.video;
    if (budget !== undefined && budget !== null) {
      return prepareSourceVideo(source, budget, options, { signal: call.signal, keyframeSide: Math.min(options.frameMaxSide, KEYFRAME_SIDE) });
    }
    const sampled = await sampleVideo(source, spec.video.frames, options, {
      signal: call.signal,
      frameMaxSide: Math.min(options.frameMaxSide, Math.max(spec.video.size, KEYFRAME_SIDE)),
    });
    const prepared = await prepareSampledVideo(sampled, spec.video);
    return { prepared, frames: sampled.frames };
  }
}
