import type { PreparedVideo, VideoSpec } from '../engine/types';
import { imageToTensor } from './image-tensor';
import type { MediaSource } from './media-input';
import type { MediaOptions } from './options';
import { DEFAULT_MEDIA_OPTIONS } from './options';
import type { SampledVideo, SampleVideoCallOptions } from './sample-video';
import { sampleVideo } from './sample-video';

/**
 * Turn sampled frames into the engine's tensor: each frame prepared like an image at `spec.size`
 * (pad to a centred square, bicubic resize, normalise), stacked as [F, 3, S, S].
 */
export async function prepareSampledVideo(sampled: SampledVideo, spec: VideoSpec): Promise<PreparedVideo> {
  const plane = 3 * spec.size * spec.size;
  const pixelValues = new Float32Array(sampled.frames.length * plane);
  for (const [i, frame] of sampled.frames.entries()) {
    await imageToTensor(frame.image, spec, pixelValues, i * plane);
  }
  return {
    kind: 'video',
    size: sampled.size,
    durationSec: sampled.durationSec,
    pixelValues,
    frameTimes: sampled.frames.map((frame) => frame.time),
  };
}

/**
 * Turn an uploaded video into the engine's tensor (bundle format, "Media preprocessing"):
 * `spec.frames` frames at `(i + 0.5) / frames × duration`, each prepared like an image. To keep the
 * frames too (keyframe thumbnails), call `sampleVideo` and `prepareSampledVideo` instead.
 */
export async function prepareVideo(
  source: MediaSource,
  spec: VideoSpec,
  options: MediaOptions = DEFAULT_MEDIA_OPTIONS,
  call: SampleVideoCallOptions = {},
): Promise<PreparedVideo> {
  const sampled = await sampleVideo(source, spec.frames, options, call);
  return prepareSampledVideo(sampled, spec);
}
