import { findJsonBoxes } from './json-boxes';
import { DEFAULT_QWEN_RESIZE, qwenSmartResize } from './qwen-smart-resize';
import type { GroundingSyntax, SyntaxContext, SyntaxMatch } from './types';

/**
 * Qwen2.5-VL: JSON objects `{"bbox_2d": [x1, y1, x2, y2], "label": "dog"}` (usually a list in a
 * ```json block) in **absolute pixels of the image after the processor's resize** (`smart_resize`:
 * sides rounded to multiples of 28, area bounded), which keeps the aspect ratio: a plain-resize frame.
 *
 * Assumption (configurable through `context.qwenResize`): the resized size is `qwenResize.resizedSize`
 * when given, otherwise `smart_resize(context.imageSize)` with Qwen2.5-VL's default factor and pixel
 * bounds. Without either, the box cannot be read and is skipped with a warning.
 */
export const qwen25VlSyntax: GroundingSyntax = {
  name: 'qwen2.5-vl',
  frame: 'plain-resize',
  detect: (text) => /"bbox_2d"\s*:/.test(text),
  find(text: string, context: SyntaxContext): SyntaxMatch[] {
    const resize = { ...DEFAULT_QWEN_RESIZE, ...context.qwenResize };
    const resized = resize.resizedSize ?? (context.imageSize === undefined ? undefined : qwenSmartResize(context.imageSize, resize));
    return findJsonBoxes(text, context, {
      syntax: 'qwen2.5-vl',
      key: 'bbox_2d',
      toFractions: ([x1, y1, x2, y2]) =>
        resized === undefined ? 'the resized image size is unknown' : [x1! / resized.width, y1! / resized.height, x2! / resized.width, y2! / resized.height],
    });
  },
};
