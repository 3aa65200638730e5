export type {
  GroundingSyntax,
  GroundingSyntaxName,
  ImageFrame,
  QwenResizeOptions,
  SyntaxBoxMatch,
  SyntaxContext,
  SyntaxMatch,
  SyntaxSpanMatch,
} from './types';
export { GROUNDING_SYNTAXES, GROUNDING_SYNTAX_NAMES, detectSyntaxes, findGrounding } from './syntax-registry';
export type { GroundingSyntaxChoice } from './syntax-registry';
export { SyntaxScanner } from './syntax-scanner';
export { frameBoxToLego, frameBoxToPixels } from './syntax-frames';
export { DEFAULT_QWEN_RESIZE, qwenSmartResize } from './qwen-smart-resize';
export { kosmosPatchBox } from './kosmos2-syntax';
