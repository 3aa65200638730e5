import type { RemoteProfile } from './remote-profile';
import { scaled, secondsSpan } from './remote-profile';

/**
 * Qwen3-VL (Instruct and Thinking; vLLM, SGLang, Ollama `qwen3-vl`): the oriented photo at its own
 * aspect ratio (sides multiples of 32, up to about 1.6 MP); the same ```json `bbox_2d` as Qwen2.5-VL
 * but relative, 0–1000 of the image — told apart only by the served model's name; the clip for
 * videos, times in seconds.
 */
export const qwen3VlProfile: RemoteProfile = {
  name: 'qwen3-vl',
  summary: 'Qwen3-VL: source image (sides ×32, ≤1.6 MP), ```json bbox_2d relative 0–1000, times in seconds',
  image: { maxSide: 2048, maxPixels: 1280 * 1280, multipleOf: 32, quality: 90 },
  video: { kind: 'clip', maxSide: 896, maxPixels: 512 * 512, multipleOf: 32, fps: 2 },
  audio: false,
  syntax: ['qwen3-vl', 'seconds'],
  prompt(question, kind) {
    if (kind === 'where') {
      return `${question}\nAnswer in a short sentence, then locate every object you mention and output their bounding boxes in JSON format: \`\`\`json\n[{"bbox_2d": [x1, y1, x2, y2], "label": "…"}]\n\`\`\``;
    }
    if (kind === 'when') return `${question}\nGive the start and end time of the event in seconds, as "from X to Y seconds".`;
    return question;
  },
  region: (box) => JSON.stringify({ bbox_2d: [scaled(box.x1, 1000), scaled(box.y1, 1000), scaled(box.x2, 1000), scaled(box.y2, 1000)] }),
  span: secondsSpan,
};
