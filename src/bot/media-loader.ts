import { readFile, stat } from 'node:fs/promises';
import { LegoError } from '../errors';
import type { BlobStore } from '../conversation/blob-store';
import type { MediaContext, MediaSource } from '../conversation/record';
import type { MediaSpec, PreparedAudio } from '../engine/types';
import { prepareSound, prepareSoundtrack } from '../media/audio-prepare';
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

export type MediaKind = 'image' | 'video' | 'audio';

/** An attachment downloaded and identified from its bytes. */
export interface FetchedMedia {
  bytes: Buffer;
  kind: MediaKind;
  sniffed: SniffedMedia;
}

/** Something of the conversation to fetch again: a media context, or the sound kept with one. */
interface Refetchable {
  id: number;
  kind: MediaKind;
  source: MediaSource;
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
    const { maxImageBytes, maxVideoBytes, maxAudioBytes } = this.#deps.options;
    if (contentType?.startsWith('image/') === true) return maxImageBytes;
    if (contentType?.startsWith('video/') === true) return maxVideoBytes;
    if (contentType?.startsWith('audio/') === true && this.#deps.spec.audio !== null) return maxAudioBytes;
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
    if (sniffed.kind === 'audio' && spec.audio !== null) {
      if (bytes.length > options.maxAudioBytes) throw fileTooLargeError('audio', bytes.length, options.maxAudioBytes);
      return { bytes, kind: 'audio', sniffed };
    }
    const reads = [spec.image !== null ? 'images' : null, spec.video !== null ? 'videos' : null, spec.audio !== null ? 'sounds' : null]
      .filter((x) => x !== null)
      .join(', ')
      .replace(/, ([^,]*)$/, ' and $1');
    if (sniffed.kind === 'audio') {
      throw new LegoError('unsupported-media', `got audio/${sniffed.format}; the engine has no audio encoder`, {
        userMessage: `Sorry, this model cannot listen to sounds; please send me ${reads || 'something else'} instead.`,
      });
    }
    throw new LegoError('unsupported-media', `got ${sniffed.kind}/${sniffed.format}; the engine reads ${reads}`, {
      userMessage: `Sorry, I cannot read ${sniffed.kind} files with this model; send me ${reads || 'something else'}.`,
    });
  }

  /** Prepare fetched media for the engine and remember it by content hash. */
  async prepare(hash: string, media: FetchedMedia | { kind: MediaKind; path: string }, call: LoadCall = {}): Promise<PreparedEntry> {
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

  /** The original bytes of an image context (for crops and annotated pictures). */
  async imageBytes(media: MediaContext, entry: PreparedEntry, message: IncomingMessage, blobs: BlobStore, call: LoadCall = {}): Promise<Buffer> {
    if (entry.bytes !== undefined) return entry.bytes;
    if (media.source.type === 'file') return this.#readFile(media.source.path, this.#deps.options.maxImageBytes);
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

  async #prepareBytes(kind: MediaKind, bytes: Buffer, call: LoadCall): Promise<PreparedEntry> {
    const { spec, options } = this.#deps;
    if (kind === 'audio') return this.#prepareSound(bytes, call);
    if (kind === 'image') {
      return { prepared: await prepareImageFor(spec, bytes, options), bytes };
    }
    return this.#prepareVideo(bytes, call);
  }

  async #preparePath(kind: MediaKind, path: string, call: LoadCall): Promise<PreparedEntry> {
    if (kind === 'image') return this.#prepareBytes('image', await this.#readFile(path, this.#deps.options.maxImageBytes), call);
    if (kind === 'audio') return this.#prepareSound(path, call);
    return this.#prepareVideo(path, call);
  }

  /** A sound file's clips for the audio encoder (refused politely when silent, damaged, too long…). */
  async #prepareSound(source: Buffer | string, call: LoadCall): Promise<PreparedEntry> {
    const { spec, options } = this.#deps;
    if (spec.audio === null) throw unsupportedMediaError('the engine has no audio encoder', 'media');
    call.onStatus?.('Listening to the sound…');
    return { audio: await prepareSound(source, spec.audio, options, { signal: call.signal }) };
  }

  /** A video's soundtrack when the engine hears (none for a silent or mute video, or one whose sound does not decode). */
  async #soundtrack(source: Buffer | string, call: LoadCall): Promise<PreparedAudio | undefined> {
    const { spec, options } = this.#deps;
    if (spec.audio === null) return undefined;
    try {
      return await prepareSoundtrack(source, spec.audio, options, { signal: call.signal });
    } catch (error) {
      if (LegoError.is(error, 'aborted')) throw error;
      // the pictures still answer; the video is read without its sound
      return undefined;
    }
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
    const soundtrack = await this.#soundtrack(source, call);
    return soundtrack === undefined ? { prepared, frames: sampled.frames } : { prepared, frames: sampled.frames, audio: soundtrack };
  }
}
