import { readFile, stat } from 'node:fs/promises';
import type { MediaSpec, PreparedAudio, PreparedMedia } from '../engine/types';
import { LegoError } from '../errors';
import { decodeSoundtrack, prepareSoundFor } from './audio-prepare';
import type { SoundWaveform } from './audio-prepare';
import { emptyFileError, fileTooLargeError, unsupportedMediaError } from './media-errors';
import type { MediaOptions } from './options';
import { DEFAULT_MEDIA_OPTIONS } from './options';
import { prepareSampledVideo } from './prepare-video';
import type { SampledFrame } from './sample-video';
import { sampleVideo } from './sample-video';
import { SNIFF_BYTES, sniffMedia } from './sniff-media';
import type { SniffedMedia } from './sniff-media';
import { prepareImageFor, prepareSourceVideo } from './source-media';
import { prepareImageAndDisplay } from './prepare-image';
import type { DisplayPicture } from './prepare-image';
import type { ImageSize } from '../grounding/types';

/** Sampled frames are kept at most this size for the timeline's keyframes (the tensor is at the spec's size). */
const KEYFRAME_SIDE = 320;

export type EngineMediaKind = 'image' | 'video' | 'audio';

/** Bytes identified from themselves as an image, a video or a sound the engine reads. */
export interface IdentifiedMedia {
  bytes: Buffer;
  kind: EngineMediaKind;
  sniffed: SniffedMedia;
}

/** Media prepared for an engine, with what rendering and zooming need again. */
export interface PreparedForEngine {
  /** the image or video for the engine; absent for a sound alone */
  prepared?: PreparedMedia;
  /** a sound file's clips, or a video's soundtrack (engines with an audio encoder) */
  audio?: PreparedAudio;
  /** a video's soundtrack drawn small (min/max peaks), for the timeline's waveform strip */
  waveform?: SoundWaveform;
  /** the original file's bytes, for images (zoom crops are cut from them; annotated pictures too without `display`) */
  bytes?: Buffer;
  /** an image decoded once at the reply's size (`PrepareCall.displaySize`): the annotated picture is drawn on it */
  display?: DisplayPicture;
  /** the sampled frames of a video (small), for the timeline's keyframes */
  frames?: SampledFrame[];
}

export interface PrepareCall {
  signal?: AbortSignal | undefined;
  /** told when a slow step begins ("Reading the video…") */
  onStatus?: ((text: string) => void) | undefined;
  /**
   * the size an image is shown back at (the annotated reply), given its size as displayed: the image
   * is then decoded once, at that size, for both the tensor and the reply (`display`)
   */
  displaySize?: ((size: ImageSize) => ImageSize) | undefined;
  /**
   * a video: only this stretch (seconds), sampled as the whole clip would be (a zoom in time); its
   * soundtrack is not read, and the prepared video is the stretch's (its duration, its frame times)
   */
  window?: { start: number; end: number } | undefined;
}

/** An image or a video prepared: the tensor (or source media) is there. */
export type PreparedVisual = PreparedForEngine & { prepared: PreparedMedia };

/** Whether the engine takes this kind of media (as a tensor or, for a remote profile, as source media). */
export function engineReads(spec: MediaSpec, kind: EngineMediaKind): boolean {
  if (kind === 'audio') return spec.audio !== null || (spec.source?.audio !== undefined && spec.source.audio !== null);
  const source = spec.source?.[kind];
  return spec[kind] !== null || (source !== undefined && source !== null);
}

type IdentifyLimits = Pick<MediaOptions, 'maxImageBytes' | 'maxVideoBytes'> & Partial<Pick<MediaOptions, 'maxAudioBytes'>>;

/**
 * What the bytes are, whatever a name or header says: an image or a video the engine reads (or a sound,
 * where the caller takes sounds: `accept`), within the size limit of its kind. Throws the polite
 * LegoErrors (empty, unsupported-media, too-large).
 */
export function identifyMedia(bytes: Buffer, spec: MediaSpec, limits: IdentifyLimits): IdentifiedMedia & { kind: 'image' | 'video' };
export function identifyMedia(bytes: Buffer, spec: MediaSpec, limits: IdentifyLimits, accept: readonly EngineMediaKind[]): IdentifiedMedia;
export function identifyMedia(
  bytes: Buffer,
  spec: MediaSpec,
  limits: IdentifyLimits,
  accept: readonly EngineMediaKind[] = ['image', 'video'],
): IdentifiedMedia {
  if (bytes.length === 0) throw emptyFileError();
  const sniffed = sniffMedia(bytes.subarray(0, SNIFF_BYTES));
  if (sniffed === undefined) throw unsupportedMediaError('unknown bytes: not an image or video we read', engineReads(spec, 'video') ? 'media' : 'image');
  if (sniffed.kind === 'image' && engineReads(spec, 'image')) {
    if (bytes.length > limits.maxImageBytes) throw fileTooLargeError('image', bytes.length, limits.maxImageBytes);
    return { bytes, kind: 'image', sniffed };
  }
  if (sniffed.kind === 'video' && engineReads(spec, 'video')) {
    if (bytes.length > limits.maxVideoBytes) throw fileTooLargeError('video', bytes.length, limits.maxVideoBytes);
    return { bytes, kind: 'video', sniffed };
  }
  const hears = accept.includes('audio') && engineReads(spec, 'audio');
  if (sniffed.kind === 'audio' && hears) {
    const limit = limits.maxAudioBytes ?? DEFAULT_MEDIA_OPTIONS.maxAudioBytes;
    if (bytes.length > limit) throw fileTooLargeError('audio', bytes.length, limit);
    return { bytes, kind: 'audio', sniffed };
  }
  const reads = [engineReads(spec, 'image') ? 'images' : null, engineReads(spec, 'video') ? 'videos' : null, hears ? 'sounds' : null]
    .filter((x) => x !== null)
    .join(', ')
    .replace(/, ([^,]*)$/, ' and $1');
  if (sniffed.kind === 'audio' && !engineReads(spec, 'audio')) {
    throw new LegoError('unsupported-media', `got audio/${sniffed.format}; the engine has no audio encoder`, {
      userMessage: `Sorry, this model cannot listen to sounds; please send me ${reads || 'something else'} instead.`,
    });
  }
  throw new LegoError('unsupported-media', `got ${sniffed.kind}/${sniffed.format}; the engine reads ${reads}`, {
    userMessage: `Sorry, I cannot read ${sniffed.kind} files with this model; send me ${reads || 'something else'}.`,
  });
}

/** A local file's bytes, refused before reading when over `maxBytes`. */
export async function readMediaFile(path: string, maxBytes: number, kind: EngineMediaKind = 'image'): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (info.size > maxBytes) throw fileTooLargeError(kind, info.size, maxBytes);
    return await readFile(path);
  } catch (error) {
    if (LegoError.is(error)) throw error;
    throw new LegoError('not-found', `cannot read ${path}`, { cause: error, userMessage: 'Sorry, I could not read that file any more.' });
  }
}

/**
 * The one way media become an engine's input, for every caller (the bot, `lego serve`, `lego eval`):
 * an image as the engine's tensor or a remote profile's source image; a video sampled into the
 * tensor's frames (keeping small frames for keyframes) or a profile's source clip / timed frames, with
 * its soundtrack when the engine hears; a sound as the audio encoder's log-mel clips.
 */
export async function prepareForEngine(
  spec: MediaSpec,
  kind: 'image' | 'video',
  source: Buffer | string,
  options?: MediaOptions,
  call?: PrepareCall,
): Promise<PreparedVisual>;
export async function prepareForEngine(
  spec: MediaSpec,
  kind: EngineMediaKind,
  source: Buffer | string,
  options?: MediaOptions,
  call?: PrepareCall,
): Promise<PreparedForEngine>;
export async function prepareForEngine(
  spec: MediaSpec,
  kind: EngineMediaKind,
  source: Buffer | string,
  options: MediaOptions = DEFAULT_MEDIA_OPTIONS,
  call: PrepareCall = {},
): Promise<PreparedForEngine> {
  if (kind === 'audio') {
    if (!engineReads(spec, 'audio')) throw unsupportedMediaError('the engine has no audio encoder', 'media');
    call.onStatus?.('Listening to the sound…');
    return { audio: await prepareSoundFor(source, spec.audio, options, { signal: call.signal, wav: spec.source?.audio }) };
  }
  if (kind === 'image') {
    const bytes = typeof source === 'string' ? await readMediaFile(source, options.maxImageBytes) : source;
    // the engine's own tensor (not a remote profile's source image): one decode for the tensor and the reply
    const tensorSpec = spec.source?.image === undefined || spec.source.image === null ? spec.image : null;
    if (tensorSpec !== null && call.displaySize !== undefined) {
      const { prepared, display } = await prepareImageAndDisplay(bytes, tensorSpec, call.displaySize, options, { signal: call.signal });
      return { prepared, bytes, display };
    }
    return { prepared: await prepareImageFor(spec, bytes, options), bytes };
  }
  if (!engineReads(spec, 'video')) throw unsupportedMediaError('the engine reads no videos', 'image');
  call.onStatus?.('Reading the video…');
  const budget = spec.source?.video;
  if (budget !== undefined && budget !== null) {
    return prepareSourceVideo(source, budget, options, { signal: call.signal, keyframeSide: Math.min(options.frameMaxSide, KEYFRAME_SIDE), window: call.window });
  }
  const video = spec.video!;
  let sampled;
  try {
    sampled = await sampleVideo(source, video.frames, options, {
      signal: call.signal,
      frameMaxSide: Math.min(options.frameMaxSide, Math.max(video.size, KEYFRAME_SIDE)),
      window: call.window,
    });
  } catch (error) {
    // an MP4/WebM that holds only sound (an Android voice recording, an audio-only WebM) is a sound
    if (engineReads(spec, 'audio') && LegoError.is(error, 'bad-input') && error.details?.reason === 'no-video-stream') {
      return prepareForEngine(spec, 'audio', source, options, call);
    }
    throw error;
  }
  const prepared = await prepareSampledVideo(sampled, video);
  // a stretch is looked at again for its pictures; the soundtrack's clips cover the whole video
  const soundtrack = call.window === undefined ? await soundtrackOf(spec, source, options, call) : undefined;
  return soundtrack === undefined ? { prepared, frames: sampled.frames } : { prepared, frames: sampled.frames, ...soundtrack };
}

/** A video's soundtrack when the engine hears; none for a mute or silent video, or one whose sound does not decode. */
async function soundtrackOf(
  spec: MediaSpec,
  source: Buffer | string,
  options: MediaOptions,
  call: PrepareCall,
): Promise<{ audio: PreparedAudio; waveform: SoundWaveform } | undefined> {
  if (spec.audio === null) return undefined;
  try {
    // no WAV for a remote server: `input_audio` is a sound of its own there, not a video's soundtrack
    return await decodeSoundtrack(source, spec.audio, options, { signal: call.signal });
  } catch (error) {
    if (LegoError.is(error, 'aborted')) throw error;
    // the pictures still answer: the video is read without its sound
    return undefined;
  }
}
