import { findRefBoxes } from './qwen-vl-syntax';
import type { GroundingSyntax, SyntaxContext, SyntaxMatch } from './types';

const BOX = /<\|box_start\|>\s*\(\s*([\d.]+)\s*,\s*([\d.]+)\s*\)\s*,\s*\(\s*([\d.]+)\s*,\s*([\d.]+)\s*\)\s*<\|box_end\|>/g;
const REF = /<\|object_ref_start\|>([\s\S]*?)<\|object_ref_end\|>/g;

/**
 * Qwen2-VL: `<|object_ref_start|>the dog<|object_ref_end|><|box_start|>(120,340),(560,780)<|box_end|>` —
 * integers 0–1000, relative to the image (its dynamic resolution keeps the aspect ratio: plain resize).
 */
export const qwen2VlSyntax: GroundingSyntax = {
  name: 'qwen2-vl',
  frame: 'plain-resize',
  detect: (text) => text.includes('<|box_start|>'),
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    return findRefBoxes(text, context, BOX, REF, 'qwen2-vl');
  },
};
