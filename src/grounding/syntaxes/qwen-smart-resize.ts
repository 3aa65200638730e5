import type { ImageSize } from '../types';
import type { QwenResizeOptions } from './types';

/** Qwen2.5-VL's processor defaults (preprocessor_config.json of Qwen2.5-VL-*-Instruct). */
export const DEFAULT_QWEN_RESIZE = {
  factor: 28,
  minPixels: 3136,
  maxPixels: 12_845_056,
} as const satisfies Omit<QwenResizeOptions, 'resizedSize'>;

/** Python's round(): halves to even. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The size Qwen2-VL/Qwen2.5-VL's image processor resizes an image to (`smart_resize` in transformers'
 * `image_processing_qwen2_vl.py`): both sides multiples of `factor`, the area within [minPixels,
 * maxPixels], the aspect ratio kept as closely as that allows.
 */
export function qwenSmartResize(size: ImageSize, options: Omit<QwenResizeOptions, 'resizedSize'> = DEFAULT_QWEN_RESIZE): ImageSize {
  const { factor, minPixels, maxPixels } = options;
  const { width: w, height: h } = size;
  let hBar = Math.max(factor, roundHalfEven(h / factor) * factor);
  let wBar = Math.max(factor, roundHalfEven(w / factor) * factor);
  if (hBar * wBar > maxPixels) {
    const beta = Math.sqrt((h * w) / maxPixels);
    hBar = Math.max(factor, Math.floor(h / beta / factor) * factor);
    wBar = Math.max(factor, Math.floor(w / beta / factor) * factor);
  } else if (hBar * wBar < minPixels) {
    const beta = Math.sqrt(minPixels / (h * w));
    hBar = Math.ceil((h * beta) / factor) * factor;
    wBar = Math.ceil((w * beta) / factor) * factor;
  }
  return { width: wBar, height: hBar };
}
