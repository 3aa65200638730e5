import type { LegoError } from '../errors';
import type { ImageSize, ModelBox, ModelSpan, PixelBox, SecondSpan } from '../grounding/types';

/**
 * How an engine wants its media prepared. The media pipeline reads this and produces tensors; an
 * engine never decodes files itself. Every number comes from the bundle's manifest.
 */
export interface ImageSpec {
  /** side of the square the encoder takes */
  size: number;
  /** pad colour (RGB 0-255) used to pad to a centred square */
  padRgb: readonly [number, number, number];
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

export interface VideoSpec extends ImageSpec {
  /** frames sampled uniformly over the whole clip, at the centre of equal bins */
  frames: number;
}

/**
 * Log-mel filterbank features of one clip (the manifest's `media.audio.features`): periodic Hann
 * window, no centring, power spectrum, HTK mel filters without area normalisation, natural log with a
 * floor, then one scalar mean/std.
 */
export interface LogMelSpec {
  nFft: number;
  winLength: number;
  hopLength: number;
  nMels: number;
  fMin: number;
  fMax: number;
  /** exponent of the magnitude spectrum (2 = power) */
  power: number;
  /** added before the log: ln(max(mel, 0) + logFloor) */
  logFloor: number;
  mean: number;
  std: number;
  /** frames per clip: 1 + floor((clip samples − nFft) / hopLength) */
  frames: number;
}

export interface AudioSpec {
  /** samples per second the sound is decoded at (mono) */
  sampleRate: number;
  /** length of one clip */
  clipSeconds: number;
  /** clips spread over a sound file */
  clips: number;
  /** clips spread over a video's soundtrack */
  soundtrackClips: number;
  features: LogMelSpec;
}

export interface MediaSpec {
  image: ImageSpec | null;
  video: VideoSpec | null;
  audio: AudioSpec | null;
  /**
   * Set by engines that send the media on to a model of another family (src/engine/remote/ profiles):
   * they take the oriented source image (or clip / timed frames) at this budget instead of the tensor.
   */
  source?: { image: SourceImageSpec | null; video: SourceVideoSpec | null; audio?: SourceAudioSpec | null };
}

/**
 * A sound as sent to a model of another family (an OpenAI `input_audio` part): the decoded mono samples
 * as a 16-bit PCM WAV at this rate, as long as the media options' audio limits allow.
 */
export interface SourceAudioSpec {
  format: 'wav';
  sampleRate: number;
}

/** The oriented source image at a model's resolution budget (its aspect ratio kept). */
export interface SourceImageSpec {
  /** longest side, pixels */
  maxSide: number;
  /** largest area, pixels */
  maxPixels: number;
  /** both sides a multiple of this (Qwen2.5-VL: 28, so its own `smart_resize` leaves the image as sent); 1 = any */
  multipleOf: number;
  /** JPEG quality */
  quality: number;
}

/**
 * How a video reaches a model of another family: the clip itself re-encoded at the budget (real
 * timestamps kept; the server samples it), or `frames` frames with their times (shown as text).
 */
export type SourceVideoSpec =
  | { kind: 'clip'; maxSide: number; maxPixels: number; multipleOf: number; fps: number }
  | { kind: 'frames'; maxSide: number; maxPixels: number; multipleOf: number; quality: number; fps: number; minFrames: number; maxFrames: number };

/** An encoded image as sent to a model, and its size in pixels. */
export interface SourceImage {
  bytes: Buffer;
  mime: 'image/jpeg';
  width: number;
  height: number;
}

/** A video as sent to a model: the clip, or frames with their times (seconds of the real clip). */
export type SourceVideo =
  | { kind: 'clip'; bytes: Buffer; mime: 'video/mp4'; width: number; height: number }
  | { kind: 'frames'; frames: { time: number; image: SourceImage }[] };

/** Float32 CHW tensor(s), already padded, resized and normalised as the MediaSpec says. */
export interface PreparedImage {
  kind: 'image';
  /** the original image as displayed (after EXIF orientation) */
  size: ImageSize;
  /** [3, S, S]; empty when the engine takes the source image instead (MediaSpec.source) */
  pixelValues: Float32Array;
  /** the oriented source at the engine's MediaSpec.source budget, when it asks for one */
  source?: SourceImage;
}

export interface PreparedVideo {
  kind: 'video';
  size: ImageSize;
  durationSec: number;
  /** [F, 3, S, S]; empty when the engine takes the source video instead (MediaSpec.source) */
  pixelValues: Float32Array;
  /** timestamps (seconds) of the sampled frames */
  frameTimes: number[];
  /** the clip or timed frames at the engine's MediaSpec.source budget, when it asks for them */
  source?: SourceVideo;
}

export type PreparedMedia = PreparedImage | PreparedVideo;

/**
 * A sound as the audio encoder takes it: `clips` clips spread over the sound (AudioSpec.clips for a
 * sound file, AudioSpec.soundtrackClips for a video's soundtrack), each as normalised log-mel features.
 */
export interface PreparedAudio {
  kind: 'audio';
  /** a sound file of its own, or the soundtrack of the request's video */
  source: 'sound' | 'soundtrack';
  durationSec: number;
  clips: number;
  /** [clips, nMels, frames]; empty when the engine takes the sound itself instead (MediaSpec.source.audio) */
  features: Float32Array;
  /** the decoded mono sound as a 16-bit PCM WAV, when the engine asks for it (MediaSpec.source.audio) */
  wav?: Buffer;
}

/** One turn of the conversation. Assistant turns keep the model's raw text (its own coordinate frame). */
export interface Turn {
  role: 'user' | 'assistant';
  text: string;
}

export interface GenerationOptions {
  maxNewTokens?: number;
  /** 0 = greedy */
  temperature?: number;
  topP?: number;
  seed?: number;
  /** extra stop strings, besides the bundle's own */
  stop?: string[];
  /** per-request time-out in milliseconds */
  timeoutMs?: number;
}

export interface GenerateRequest {
  /** alternating user/assistant turns, the last one is the user's question */
  turns: Turn[];
  /** the image or video of this conversation's current media context; placed before the first user turn */
  media?: PreparedMedia | undefined;
  /**
   * the sound of the same media context: beside an image, alone, or a video's soundtrack; its
   * placeholder follows the image's/video's
   */
  audio?: PreparedAudio | undefined;
  options?: GenerationOptions;
}

export interface GroundedBox {
  /** 1-based, in order of appearance in this answer */
  index: number;
  box: ModelBox;
  /** on the original image (present when the request had an image) */
  pixels?: PixelBox;
  /** the words before the box that name it, when the answer says so ("red star") */
  label?: string;
  /** the exact text of the box in the answer */
  raw: string;
  /**
   * [start, end): where the box's markup sits in the answer text (`FinishInfo.text`), from the one parse
   * that found it — the coordinates and the tags around them (`<ref>…</ref><box>…</box>`). Numbering
   * replaces exactly this range; nothing parses the text again.
   */
  start: number;
  end: number;
  /** words inside the markup that stay in the text before the number (the label a `<ref>` held) */
  shown?: string;
}

export interface GroundedSpan {
  index: number;
  span: ModelSpan;
  /** in seconds (present when the request had a video) */
  seconds?: SecondSpan;
  label?: string;
  raw: string;
  /** [start, end) of the span's markup in the answer text (see GroundedBox) */
  start: number;
  end: number;
  shown?: string;
}

export interface FinishInfo {
  reason: 'stop' | 'length' | 'aborted' | 'timeout';
  /** the whole answer, as the model wrote it (model frame) */
  text: string;
  usage: { promptTokens: number; completionTokens: number };
  timings: { totalMs: number; encodeMs?: number; prefillMs?: number; decodeMs?: number; firstTokenMs?: number };
  /** turns dropped from the front to fit the context window */
  droppedTurns?: number;
  /** the generated token ids, stop token included (engines that know them; for parity checks and debugging) */
  tokenIds?: number[];
}

/** The typed stream of an answer. */
export type Part =
  | {
      type: 'text-delta';
      text: string;
      /**
       * from this offset of the answer text on, markup may still become a region that is not reported
       * yet (an open bracket, a box waiting for the character after it); the text length when nothing
       * is pending. A growing view holds the text from here back. Unset: the engine does not know.
       */
      pendingFrom?: number;
    }
  | ({ type: 'box' } & GroundedBox)
  | ({ type: 'span' } & GroundedSpan)
  | ({ type: 'finish' } & FinishInfo)
  | { type: 'error'; error: LegoError };

export interface GenerateCallOptions {
  signal?: AbortSignal;
}

export interface GroundingEngine {
  readonly name: string;
  readonly media: MediaSpec;
  generate(request: GenerateRequest, options?: GenerateCallOptions): AsyncIterable<Part>;
  dispose(): Promise<void>;
}

export interface CollectedAnswer {
  text: string;
  boxes: GroundedBox[];
  spans: GroundedSpan[];
  finish: FinishInfo;
}

// The Logger lives in its own module (src/logger-type.ts); re-exported here for the engine's callers.
export type { LogFn, Logger } from '../logger-type';
