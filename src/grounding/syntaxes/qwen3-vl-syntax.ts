import { findJsonBoxes } from './json-boxes';
import type { GroundingSyntax, SyntaxContext, SyntaxMatch } from './types';

/** Qwen3-VL's relative scale: coordinates of 0–1000 of the image (Alibaba's docs say 0–999). */
const SCALE = 1000;

/**
 * Qwen3-VL: the same JSON as Qwen2.5-VL (`{"bbox_2d": [x1, y1, x2, y2], "label": "dog"}` in a ```json
 * list) but **relative, 0–1000 of the image it received**, not pixels — whatever its size or aspect
 * ratio, so a plain-resize frame. The text cannot tell it from Qwen2.5-VL: it is never auto-detected;
 * the served model's name chooses it (src/engine/remote/profile-table.ts).
 */
export const qwen3VlSyntax: GroundingSyntax = {
  name: 'qwen3-vl',
  frame: 'plain-resize',
  detect: () => false,
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    return findJsonBoxes(text, context, { syntax: 'qwen3-vl', key: 'bbox_2d', toFractions: (v) => v.map((n) => n / SCALE) });
  },
};
