import type { AudioSpec, PreparedAudio, SourceAudioSpec } from '../engine/types';
import { LegoError } from '../errors';
import { cutClips } from './audio-clips';
import { LogMelExtractor } from './audio-log-mel';
import { extractAudio } from './extract-audio';
import { silentAudioError } from './media-errors';
import type { MediaSource } from './media-input';
import type { MediaOptions } from './options';
import { encodeWav16 } from './wav-encode';

/** A sound whose loudest sample stays under this (−60 dBFS) counts as silence. */
export const SILENCE_PEAK = 1e-3;

export interface PrepareAudioCall {
  signal?: AbortSignal | undefined;
  /** also keep the sound as a WAV (a remote engine sends it on: MediaSpec.source.audio) */
  wav?: SourceAudioSpec | null | undefined;
}

/** The sound as the WAV a remote server takes, at most `maxAudioDurationSec` long (the config's audio limit). */
function wavOf(samples: Float32Array, sampleRate: number, options: MediaOptions): Buffer {
  const most = Math.floor(options.maxAudioDurationSec * sampleRate);
  return encodeWav16(samples.length > most ? samples.subarray(0, most) : samples, sampleRate);
}

/**
 * A sound for an engine: the audio encoder's features when `spec` is set, the WAV when `call.wav` asks
 * for it (a remote profile that sends the sound itself: features are then left empty). Same limits and
 * polite errors as prepareSound.
 */
export async function prepareSoundFor(source: MediaSource, spec: AudioSpec | null, options: MediaOptions, call: PrepareAudioCall = {}): Promise<PreparedAudio> {
  const wav = call.wav ?? null;
  if (spec === null && wav === null) throw new TypeError('prepareSoundFor needs an audio spec or a WAV spec');
  const sampleRate = spec?.sampleRate ?? wav!.sampleRate;
  const audio = await extractAudio(source, options, { sampleRate, signal: call.signal });
  const peak = peakOf(audio.samples);
  if (!(peak >= SILENCE_PEAK)) throw silentAudioError(peak);
  const prepared: PreparedAudio =
    spec === null
      ? { kind: 'audio', source: 'sound', durationSec: audio.samples.length / sampleRate, clips: 0, features: new Float32Array(0) }
      : audioFeatures(audio.samples, spec, 'sound');
  return wav === null ? prepared : { ...prepared, wav: wavOf(audio.samples, sampleRate, options) };
}

/** The largest |sample|. */
export function peakOf(samples: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i += 1) {
    const v = Math.abs(samples[i]!);
    if (v > peak) peak = v;
  }
  return peak;
}

/**
 * Features of decoded mono samples (at `spec.sampleRate`) as the audio encoder takes them: the clips the
 * spec asks for (`clips` for a sound file, `soundtrackClips` for a video's soundtrack) spread over the
 * sound, each as normalised log-mel features [nMels, frames].
 */
export function audioFeatures(samples: Float32Array, spec: AudioSpec, source: PreparedAudio['source']): PreparedAudio {
  const clipSamples = Math.round(spec.clipSeconds * spec.sampleRate);
  const count = source === 'sound' ? spec.clips : spec.soundtrackClips;
  const extractor = new LogMelExtractor(spec.features, spec.sampleRate);
  const features = extractor.clips(cutClips(samples, count, clipSamples), count, clipSamples);
  return { kind: 'audio', source, durationSec: samples.length / spec.sampleRate, clips: count, features };
}

/**
 * A sound file (wav, mp3, ogg/opus, m4a, flac…, or any file with an audio stream) prepared for the audio
 * encoder. Polite LegoErrors for what cannot be used: not a sound, damaged, too large or too long (the
 * media options' audio limits), or silent.
 */
export async function prepareSound(source: MediaSource, spec: AudioSpec, options: MediaOptions, call: PrepareAudioCall = {}): Promise<PreparedAudio> {
  const audio = await extractAudio(source, options, { sampleRate: spec.sampleRate, signal: call.signal });
  const peak = peakOf(audio.samples);
  if (!(peak >= SILENCE_PEAK)) throw silentAudioError(peak);
  return audioFeatures(audio.samples, spec, 'sound');
}

/**
 * A sound drawn small: the minimum and the maximum of every block of `block` samples, interleaved, so a
 * waveform strip of any width shows the same envelope as the full samples at a fraction of the memory.
 */
export interface SoundWaveform {
  samples: Float32Array;
  /** values per second of `samples` (two per block) */
  sampleRate: number;
}

export function waveformPeaks(samples: Float32Array, sampleRate: number, block = 8): SoundWaveform {
  const blocks = Math.ceil(samples.length / block);
  const peaks = new Float32Array(2 * blocks);
  for (let b = 0; b < blocks; b += 1) {
    let lo = Infinity;
    let hi = -Infinity;
    const end = Math.min(samples.length, (b + 1) * block);
    for (let i = b * block; i < end; i += 1) {
      const v = samples[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    peaks[2 * b] = lo;
    peaks[2 * b + 1] = hi;
  }
  return { samples: peaks, sampleRate: (2 * sampleRate) / block };
}

/**
 * A video's soundtrack for the audio encoder and its waveform for the timeline, or `undefined` when the
 * video has no sound or only silence (the video is then read without it). Other failures (damaged
 * stream, time-out) throw.
 */
export async function decodeSoundtrack(
  source: MediaSource,
  spec: AudioSpec,
  options: MediaOptions,
  call: PrepareAudioCall = {},
): Promise<{ audio: PreparedAudio; waveform: SoundWaveform } | undefined> {
  let audio;
  try {
    audio = await extractAudio(source, options, { sampleRate: spec.sampleRate, signal: call.signal });
  } catch (error) {
    if (LegoError.is(error, 'bad-input') && error.details?.reason === 'no-audio-stream') return undefined;
    throw error;
  }
  if (!(peakOf(audio.samples) >= SILENCE_PEAK)) return undefined;
  const features = audioFeatures(audio.samples, spec, 'soundtrack');
  const wav = call.wav ?? null;
  return {
    audio: wav === null ? features : { ...features, wav: wavOf(audio.samples, spec.sampleRate, options) },
    waveform: waveformPeaks(audio.samples, spec.sampleRate),
  };
}

/** A video's soundtrack prepared for the audio encoder (see decodeSoundtrack), without its waveform. */
export async function prepareSoundtrack(
  source: MediaSource,
  spec: AudioSpec,
  options: MediaOptions,
  call: PrepareAudioCall = {},
): Promise<PreparedAudio | undefined> {
  return (await decodeSoundtrack(source, spec, options, call))?.audio;
}
