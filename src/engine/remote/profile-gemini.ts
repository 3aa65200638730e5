import type { RemoteProfile } from './remote-profile';
import { clock, clockTenths, scaled } from './remote-profile';

/**
 * Gemini through its OpenAI-compatible endpoint: the oriented photo at its own aspect ratio (up to
 * 1536 px: two 768-px tiles a side); boxes as ```json `box_2d` = [ymin, xmin, ymax, xmax], 0–1000 of
 * the image as sent; videos as frames (1 a second, 8–32) each after its `mm:ss` time, answers in
 * `mm:ss` (or seconds) of the real clip.
 */
export const geminiProfile: RemoteProfile = {
  name: 'gemini',
  summary: 'Gemini: source image (≤1536 px), ```json box_2d [ymin, xmin, ymax, xmax] 0–1000, timed frames, mm:ss',
  image: { maxSide: 1536, maxPixels: 1536 * 1536, multipleOf: 1, quality: 90 },
  video: { kind: 'frames', maxSide: 768, maxPixels: 768 * 768, multipleOf: 1, quality: 85, fps: 1, minFrames: 8, maxFrames: 32 },
  audio: true,
  syntax: ['gemini', 'seconds'],
  prompt(question, kind) {
    if (kind === 'where') {
      return `${question}\nAnswer in a short sentence, then detect every object you mention: a \`\`\`json list of {"box_2d": [ymin, xmin, ymax, xmax], "label": "…"} normalized to 0-1000.`;
    }
    if (kind === 'when') return `${question}\nThe frames are labelled with their times. Give the start and end of the event as MM:SS - MM:SS.`;
    return question;
  },
  region: (box) => JSON.stringify({ box_2d: [scaled(box.y1, 1000), scaled(box.x1, 1000), scaled(box.y2, 1000), scaled(box.x2, 1000)] }),
  span: (span, media) => `${clock(span.start * (media.durationSec ?? 0))} - ${clock(span.end * (media.durationSec ?? 0))}`,
  frameLabel: (seconds) => clockTenths(seconds),
};
