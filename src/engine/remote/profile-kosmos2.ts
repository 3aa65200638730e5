import type { RemoteProfile } from './remote-profile';
import { secondsSpan } from './remote-profile';

const GRID = 32;

function patch(x: number, y: number): string {
  const col = Math.min(GRID - 1, Math.max(0, Math.floor(x * GRID)));
  const row = Math.min(GRID - 1, Math.max(0, Math.floor(y * GRID)));
  return `<patch_index_${String(row * GRID + col).padStart(4, '0')}>`;
}

/**
 * Kosmos-2: the oriented photo (up to 1024 px; it resizes to 224×224 itself, so its 32×32 patch grid is
 * of the image); questions open with `<grounding>` so it links phrases to `<patch_index_NNNN>` pairs;
 * regions as `<object><patch_index_…><patch_index_…></object>`. No video.
 */
export const kosmos2Profile: RemoteProfile = {
  name: 'kosmos-2',
  summary: 'Kosmos-2: source image (≤1024 px), <grounding> prompts, <patch_index_NNNN> pairs on a 32×32 grid',
  image: { maxSide: 1024, maxPixels: 1024 * 1024, multipleOf: 1, quality: 90 },
  video: null,
  audio: false,
  syntax: 'kosmos-2',
  prompt: (question) => `<grounding> Question: ${question} Answer:`,
  region: (box) => `<object>${patch(box.x1, box.y1)}${patch(box.x2 - 1e-6, box.y2 - 1e-6)}</object>`,
  span: secondsSpan,
};
