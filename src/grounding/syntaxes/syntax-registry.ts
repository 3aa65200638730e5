import { ferretSyntax } from './ferret-syntax';
import { geminiSyntax } from './gemini-syntax';
import { florence2Syntax } from './florence2-syntax';
import { kosmos2Syntax } from './kosmos2-syntax';
import { legoSyntax } from './lego-syntax';
import { minigptV2Syntax } from './minigpt-v2-syntax';
import { qwen25VlSyntax } from './qwen25-vl-syntax';
import { qwen2VlSyntax } from './qwen2-vl-syntax';
import { qwen3VlSyntax } from './qwen3-vl-syntax';
import { qwenVlSyntax } from './qwen-vl-syntax';
import { secondsSyntax } from './seconds-syntax';
import { shikraSyntax } from './shikra-syntax';
import { timechatSyntax } from './timechat-syntax';
import type { GroundingSyntax, GroundingSyntaxName, SyntaxContext, SyntaxMatch } from './types';
import { vtimellmSyntax } from './vtimellm-syntax';

/** Every syntax by name. */
export const GROUNDING_SYNTAXES: Readonly<Record<GroundingSyntaxName, GroundingSyntax>> = {
  lego: legoSyntax,
  shikra: shikraSyntax,
  ferret: ferretSyntax,
  'qwen-vl': qwenVlSyntax,
  'qwen2-vl': qwen2VlSyntax,
  'qwen2.5-vl': qwen25VlSyntax,
  'qwen3-vl': qwen3VlSyntax,
  gemini: geminiSyntax,
  'florence-2': florence2Syntax,
  'kosmos-2': kosmos2Syntax,
  'minigpt-v2': minigptV2Syntax,
  timechat: timechatSyntax,
  vtimellm: vtimellmSyntax,
  seconds: secondsSyntax,
};

export const GROUNDING_SYNTAX_NAMES = Object.keys(GROUNDING_SYNTAXES) as GroundingSyntaxName[];

/** A syntax name, several (a model family's boxes and its times), or `auto`: every syntax whose marks appear in the text. */
export type GroundingSyntaxChoice = GroundingSyntaxName | readonly GroundingSyntaxName[] | 'auto';

/**
 * Auto-detection order: the syntaxes with unmistakable tokens first, then the bracketed numbers (Shikra's
 * compact 3-decimal form before LEGO's, Ferret's integers), then the video phrasings.
 */
const DETECTION_ORDER: readonly GroundingSyntaxName[] = [
  'qwen2-vl',
  'qwen-vl',
  'qwen2.5-vl',
  'gemini',
  'florence-2',
  'kosmos-2',
  'minigpt-v2',
  'ferret',
  'shikra',
  'lego',
  'timechat',
  'vtimellm',
  'seconds',
];

/** The syntaxes whose marks appear in `text`, most specific first (LEGO when none does). */
export function detectSyntaxes(text: string): GroundingSyntaxName[] {
  const found = DETECTION_ORDER.filter((name) => GROUNDING_SYNTAXES[name].detect(text));
  // Shikra's boxes are LEGO boxes written compactly; LEGO's reader covers them and its spans too
  const names = found.includes('shikra') && found.includes('lego') ? found.filter((n) => n !== 'shikra') : found;
  return names.length > 0 ? names : ['lego'];
}

/**
 * Every box and span in a finished answer, read with `choice` (or, for `auto`, with each detected
 * syntax; where two readings overlap the earlier-listed syntax wins). In order of appearance. Never throws.
 */
export function findGrounding(text: string, choice: GroundingSyntaxChoice, context: SyntaxContext = {}): SyntaxMatch[] {
  const names = choice === 'auto' ? detectSyntaxes(text) : typeof choice === 'string' ? [choice as GroundingSyntaxName] : choice;
  const all: SyntaxMatch[] = [];
  for (const name of names) {
    for (const m of GROUNDING_SYNTAXES[name].find(text, context)) {
      if (!all.some((o) => m.offset < o.end && o.offset < m.end)) all.push(m);
    }
  }
  return all.sort((a, b) => a.offset - b.offset);
}
