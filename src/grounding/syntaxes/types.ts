import type { GroundingWarningCallback, ImageSize } from '../types';

/** The grounding syntaxes a remote engine can read (see ../shared/DESIGN.md and syntax-registry.ts). */
export type GroundingSyntaxName =
  | 'lego'
  | 'shikra'
  | 'ferret'
  | 'qwen-vl'
  | 'qwen2-vl'
  | 'qwen2.5-vl'
  | 'qwen3-vl'
  | 'gemini'
  | 'florence-2'
  | 'kosmos-2'
  | 'minigpt-v2'
  | 'timechat'
  | 'vtimellm'
  | 'seconds';

/**
 * The image a model's box coordinates are fractions of:
 * - `padded-square`: the original padded to a centred square of side max(W, H) (LEGO, Shikra);
 * - `plain-resize`: the original stretched to the model's input size, so a fraction is of W (or H) itself.
 */
export type ImageFrame = 'padded-square' | 'plain-resize';

/** Qwen2.5-VL writes absolute pixels of the image after its processor's `smart_resize`. */
export interface QwenResizeOptions {
  /** the size the processor resized the image to, when known; otherwise computed with `smart_resize` */
  resizedSize?: ImageSize;
  /** patch merge factor, 28 for Qwen2.5-VL (14-px patches merged 2×2) */
  factor: number;
  /** the processor's `min_pixels` (Qwen2.5-VL's preprocessor_config.json: 3136) */
  minPixels: number;
  /** the processor's `max_pixels` (Qwen2.5-VL's preprocessor_config.json: 12845056) */
  maxPixels: number;
}

/** What a syntax needs beyond the text to turn its numbers into fractions. */
export interface SyntaxContext {
  /** the image as the model received it (needed by Qwen2.5-VL's absolute pixels) */
  imageSize?: ImageSize;
  /** the video's duration in seconds (needed by TimeChat's seconds) */
  durationSec?: number;
  /** Qwen2.5-VL's resize; defaults in DEFAULT_QWEN_RESIZE */
  qwenResize?: Partial<QwenResizeOptions>;
  /** told about things that looked like grounding but could not be read; they are skipped */
  onWarning?: GroundingWarningCallback;
}

/** Where a box or span was written in the text, and how it reads back. */
export interface SyntaxFound {
  syntax: GroundingSyntaxName;
  raw: string;
  /** offset of `raw` in the text, and the index just after it */
  offset: number;
  end: number;
  label?: string;
  /** for streaming: later text past this index cannot change the match (a label may read ahead); default `end` */
  settledAt?: number;
  /**
   * Where the region's markup begins in the text when it begins before `raw` (a `<ref>…</ref>`,
   * `<phrase>…</phrase>` or `<p>…</p>` that names it); default `offset`.
   */
  textStart?: number;
  /** where the region's markup ends when it ends after `raw` (`</object>`); default `end` */
  textEnd?: number;
  /** the label was written inside the markup (`<ref>the dog</ref>`), so it stays in the text when the markup is replaced */
  inlineLabel?: boolean;
}

/** A box found in a model's answer, as fractions (0..1) of the model's `frame`. */
export interface SyntaxBoxMatch extends SyntaxFound {
  kind: 'box';
  frame: ImageFrame;
  box: { x1: number; y1: number; x2: number; y2: number };
}

/** A span found in a model's answer, as fractions (0..1) of the video's duration. */
export interface SyntaxSpanMatch extends SyntaxFound {
  kind: 'span';
  span: { start: number; end: number };
}

export type SyntaxMatch = SyntaxBoxMatch | SyntaxSpanMatch;

/** One model family's way of writing boxes or spans. */
export interface GroundingSyntax {
  readonly name: GroundingSyntaxName;
  /** the frame its boxes are in (spans are always fractions of the duration once read) */
  readonly frame: ImageFrame;
  /** whether `text` carries this syntax's unmistakable marks (for auto-detection) */
  detect(text: string): boolean;
  /** every box/span in a finished text, in order; malformed ones are skipped with a warning. Never throws. */
  find(text: string, context: SyntaxContext): SyntaxMatch[];
}
