import type { BoxRegion, SpanRegion } from '../conversation/record';
import type { MediaOptions } from '../media/options';
import type { DisplayPicture } from '../media/prepare-image';
import type { SampledFrame } from '../media/sample-video';
import { renderBoxes } from '../render/render-boxes';
import { REPLY_IMAGE_EXTENSION } from '../render/reply-image-format';
import { renderTimeline } from '../render/render-timeline';
import type { TimelineWaveform } from '../render/render-timeline';
import type { RenderConfig } from '../config/render';
import type { ReplyFile } from './types';

function list(regions: readonly { number: number; label: string | null }[]): string {
  return regions.map((r) => (r.label === null ? `[${r.number}]` : `[${r.number}] ${r.label}`)).join(', ');
}

/** What a reply picture shows of the sound sent with the media. */
export interface ReplySound {
  /** the numbers of the boxes that are the sound's source (drawn with a "source of the sound" legend) */
  sourceBoxes?: readonly number[];
  /** a video's decoded soundtrack, drawn as a waveform strip under its timeline */
  waveform?: TimelineWaveform;
}

/**
 * The annotated image: the answer's boxes, numbered as in the text, on the full image as displayed —
 * drawn on the picture decoded for the turn when there is one, else decoded from the file.
 */
export async function renderAnnotatedImage(
  image: Uint8Array | DisplayPicture,
  regions: readonly BoxRegion[],
  render: RenderConfig,
  limits: Pick<MediaOptions, 'maxImageBytes' | 'maxImagePixels' | 'maxImageSide'>,
  sound: ReplySound = {},
): Promise<ReplyFile> {
  const sources = new Set(sound.sourceBoxes ?? []);
  const boxes = regions
    .filter((r) => r.pixels !== null)
    .map((r) => ({
      index: r.number,
      pixels: r.pixels!,
      ...(r.label === null ? {} : { label: r.label }),
      ...(sources.has(r.number) ? { soundSource: true } : {}),
    }));
  const heard = boxes.filter((b) => b.soundSource === true).map((b) => `[${b.index}]`);
  const rendered = await renderBoxes(image, boxes, { maxSide: render.maxSide, maxBytes: render.maxUploadBytes, limits });
  return {
    name: `lego-boxes.${REPLY_IMAGE_EXTENSION[rendered.format]}`,
    contentType: rendered.mime,
    data: rendered.data,
    description:
      (boxes.length === 0 ? 'The image' : `The image with boxes ${list(regions)}`) +
      (heard.length === 0 ? '' : `; ${heard.join(', ')} ${heard.length === 1 ? 'is' : 'are'} the source of the sound`),
    kind: 'annotated-image',
  };
}

/** The video timeline: the answer's spans as numbered bars, with the sampled frame nearest each span. */
export async function renderVideoTimeline(
  durationSec: number,
  regions: readonly SpanRegion[],
  frames: readonly SampledFrame[],
  render: RenderConfig,
  sound: ReplySound = {},
): Promise<ReplyFile> {
  const spans = regions
    .filter((r) => r.seconds !== null)
    .map((r) => ({ index: r.number, start: r.seconds!.start, end: r.seconds!.end, ...(r.label === null ? {} : { label: r.label }) }));
  const keyframes: { time: number; image: SampledFrame['image'] }[] = [];
  if (render.keyframes && frames.length > 0) {
    for (const span of spans) {
      const middle = (span.start + span.end) / 2;
      let best = frames[0]!;
      for (const frame of frames) if (Math.abs(frame.time - middle) < Math.abs(best.time - middle)) best = frame;
      if (!keyframes.some((k) => k.time === best.time)) keyframes.push({ time: best.time, image: best.image });
    }
  }
  const png = await renderTimeline({ durationSec, spans, keyframes, waveform: sound.waveform }, { width: render.timelineWidth });
  return {
    name: 'lego-timeline.png',
    contentType: 'image/png',
    data: png,
    description: `Timeline of the video with spans ${list(regions)}${sound.waveform === undefined ? '' : ' over its soundtrack'}`,
    kind: 'timeline',
  };
}
