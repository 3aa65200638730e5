import { formatBox, formatSpan } from '../../grounding/lego-format';
import type { RemoteProfile } from './remote-profile';

/**
 * `lego serve` or any LEGO-7B server: LEGO's padded square (the engine's own tensor, sent losslessly as
 * a PNG) and padded frames; it grounds without being asked, in LEGO's syntax (read with auto-detection,
 * so a LEGO-style server answering in a peer syntax is still read); regions as LEGO boxes and spans.
 */
export const legoProfile: RemoteProfile = {
  name: 'lego',
  summary: 'LEGO (lego serve, LEGO-7B): padded square, [x1, y1, x2, y2] of the square, {start, end} of the clip',
  image: 'padded-square',
  video: 'padded-frames',
  audio: 'if-served',
  syntax: 'auto',
  prompt: (question) => question,
  region: (box) => formatBox(box),
  span: (span) => formatSpan(span),
};
