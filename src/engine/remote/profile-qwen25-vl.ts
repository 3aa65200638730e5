import type { RemoteProfile } from './remote-profile';
import { scaled, secondsSpan } from './remote-profile';

/** about a megapixel: Qwen's own examples cap `max_pixels` at 1280·28·28; below the processor's default 12845056, so the server never resizes again */
export const QWEN25_MAX_PIXELS = 1280 * 28 * 28;

/**
 * Qwen2.5-VL (vLLM, SGLang, Ollama `qwen2.5vl`): the oriented photo at its own aspect ratio, both sides
 * multiples of 28 and at most QWEN25_MAX_PIXELS, so its `smart_resize` keeps the image as sent and its
 * absolute-pixel `bbox_2d` JSON is exactly of that image; videos as the clip (the server samples it,
 * timestamps absolute), times read in seconds.
 */
export const qwen25VlProfile: RemoteProfile = {
  name: 'qwen2.5-vl',
  summary: 'Qwen2.5-VL: source image (sides ×28, ≤1 MP), ```json bbox_2d in pixels of the image sent, times in seconds',
  image: { maxSide: 2048, maxPixels: QWEN25_MAX_PIXELS, multipleOf: 28, quality: 90 },
  video: { kind: 'clip', maxSide: 896, maxPixels: 448 * 448, multipleOf: 28, fps: 2 },
  audio: false,
  syntax: ['qwen2.5-vl', 'seconds'],
  prompt(question, kind) {
    if (kind === 'where') {
      return `${question}\nAnswer in a short sentence, then locate every object you mention and output their bounding boxes in pixels in JSON format: \`\`\`json\n[{"bbox_2d": [x1, y1, x2, y2], "label": "…"}]\n\`\`\``;
    }
    if (kind === 'when') return `${question}\nGive the start and end time of the event in seconds, as "from X to Y seconds".`;
    return question;
  },
  region: (box, media) =>
    JSON.stringify({ bbox_2d: [scaled(box.x1, media.width), scaled(box.y1, media.height), scaled(box.x2, media.width), scaled(box.y2, media.height)] }),
  span: secondsSpan,
};
