import type { RemoteProfile } from './remote-profile';
import { secondsSpan, soughtPhrase } from './remote-profile';

function loc(v: number): string {
  return `<loc_${Math.min(999, Math.max(0, Math.floor(v * 1000)))}>`;
}

/**
 * Florence-2 (a task-token model, not a chat model): the oriented photo (up to 1024 px; it resizes to
 * 768×768 itself, so its 1000 location bins are fractions of the image); a where-question becomes
 * `<CAPTION_TO_PHRASE_GROUNDING>` with the phrase sought, a question about a region
 * `<REGION_TO_DESCRIPTION>` with its locations, anything else `<MORE_DETAILED_CAPTION>`;
 * regions as `<loc_N>`×4. No video.
 */
export const florence2Profile: RemoteProfile = {
  name: 'florence-2',
  summary: 'Florence-2: source image (≤1024 px), task tokens, <loc_N>×4 of 1000 bins',
  image: { maxSide: 1024, maxPixels: 1024 * 1024, multipleOf: 1, quality: 90 },
  video: null,
  audio: false,
  syntax: 'florence-2',
  prompt(question, kind) {
    // a region the user points at was written as <loc_N>×4 already: ask what is there
    const region = /(?:<loc_\d+>){4}/.exec(question);
    if (region !== null) return `<REGION_TO_DESCRIPTION>${region[0]}`;
    return kind === 'where' ? `<CAPTION_TO_PHRASE_GROUNDING>${soughtPhrase(question)}` : '<MORE_DETAILED_CAPTION>';
  },
  region: (box) => `${loc(box.x1)}${loc(box.y1)}${loc(box.x2)}${loc(box.y2)}`,
  span: secondsSpan,
};
