import type { AudioSpec, MediaSpec } from '../types';
import type { BundleManifest } from './bundle-manifest';

/** The audio section of a manifest as the media pipeline reads it. */
export function audioSpecOf(audio: NonNullable<BundleManifest['media']['audio']>): AudioSpec {
  const f = audio.features;
  return {
    sampleRate: audio.sample_rate,
    clipSeconds: audio.clip_seconds,
    clips: audio.clips,
    soundtrackClips: audio.soundtrack_clips,
    features: {
      nFft: f.n_fft,
      winLength: f.win_length,
      hopLength: f.hop_length,
      nMels: f.n_mels,
      fMin: f.f_min,
      fMax: f.f_max,
      power: f.power,
      logFloor: f.log_floor,
      mean: f.mean,
      std: f.std,
      frames: f.frames,
    },
  };
}

/** How a bundle wants its media prepared: every number from its manifest. */
export function mediaSpecOf(m: BundleManifest): MediaSpec {
  const { image, video, audio } = m.media;
  return {
    image: image === null ? null : { size: image.size, padRgb: image.pad_rgb, mean: image.mean, std: image.std },
    video: video === null ? null : { size: video.size, padRgb: video.pad_rgb, mean: video.mean, std: video.std, frames: video.frames },
    audio: audio === null ? null : audioSpecOf(audio),
  };
}
