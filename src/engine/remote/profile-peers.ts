import { pixelBoxToModel } from '../../grounding/coordinate-frames';
import { formatBox, formatSpan } from '../../grounding/lego-format';
import type { GroundingSyntaxName } from '../../grounding/syntaxes/types';
import type { ModelBox } from '../../grounding/types';
import type { RemoteProfile, RemoteProfileName } from './remote-profile';
import { scaled, seconds } from './remote-profile';

/** The source image at up to 1024 px: every peer below resizes (or pads) it to its own encoder size. */
const PEER_IMAGE = { maxSide: 1024, maxPixels: 1024 * 1024, multipleOf: 1, quality: 90 } as const;
/** Peers that take video get timed frames (8–32, 1 a second). */
const PEER_VIDEO = { kind: 'frames', maxSide: 448, maxPixels: 448 * 448, multipleOf: 1, quality: 85, fps: 1, minFrames: 8, maxFrames: 32 } as const;

function ints(box: ModelBox, scale: number, max: number): number[] {
  return [box.x1, box.y1, box.x2, box.y2].map((v) => scaled(v, scale, max));
}

function peer(
  name: RemoteProfileName & GroundingSyntaxName,
  summary: string,
  region: RemoteProfile['region'],
  video = false,
  span: RemoteProfile['span'] = (s) => formatSpan(s),
): RemoteProfile {
  return {
    name,
    summary,
    image: PEER_IMAGE,
    video: video ? PEER_VIDEO : null,
    audio: false,
    syntax: name,
    prompt: (question) => question,
    region,
    span,
  };
}

/**
 * The other grounding syntaxes a remote engine reads, each as a profile (DESIGN.md lists them): the
 * source image at up to 1024 px, the question as asked (these models ground on their own), answers in
 * the family's syntax and frame (Shikra's padded square; the others plain fractions of the image),
 * regions written back the same way.
 */
export const PEER_PROFILES = {
  shikra: peer('shikra', 'Shikra: [x1,y1,x2,y2] fractions of the padded square', (box, media) => {
    const { width: w, height: h } = media;
    return formatBox(pixelBoxToModel({ x1: box.x1 * w, y1: box.y1 * h, x2: box.x2 * w, y2: box.y2 * h }, { width: w, height: h }));
  }),
  ferret: peer('ferret', 'Ferret: [x1, y1, x2, y2] integers 0–999', (box) => `[${ints(box, 1000, 999).join(', ')}]`),
  'qwen-vl': peer('qwen-vl', 'Qwen-VL: <box>(x1,y1),(x2,y2)</box> 0–1000', (box) => {
    const [a, b, c, d] = ints(box, 1000, 1000);
    return `<box>(${a},${b}),(${c},${d})</box>`;
  }),
  'qwen2-vl': peer('qwen2-vl', 'Qwen2-VL: <|box_start|>(x1,y1),(x2,y2)<|box_end|> 0–1000', (box) => {
    const [a, b, c, d] = ints(box, 1000, 1000);
    return `<|box_start|>(${a},${b}),(${c},${d})<|box_end|>`;
  }),
  'minigpt-v2': peer('minigpt-v2', 'MiniGPT-v2: {<x1><y1><x2><y2>} 0–100', (box) => `{${ints(box, 100, 100).map((v) => `<${v}>`).join('')}}`),
  timechat: peer('timechat', 'TimeChat: "0.0 - 6.9 seconds" of the clip', (box) => formatBox(box), true, (span, media) => {
    const d = media.durationSec ?? 0;
    return `${seconds(span.start * d)} - ${seconds(span.end * d)} seconds`;
  }),
  vtimellm: peer('vtimellm', 'VTimeLLM: "from 08 to 37" of 100 frames', (box) => formatBox(box), true, (span) => {
    const two = (v: number): string => String(Math.min(99, Math.max(0, Math.round(v * 100)))).padStart(2, '0');
    return `from ${two(span.start)} to ${two(span.end)}`;
  }),
} as const satisfies Record<string, RemoteProfile>;
