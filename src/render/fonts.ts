import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';
import { LegoError } from '../errors';

/** The font family every rendering uses: DejaVu Sans shipped in `assets/fonts`, never a system font. */
export const RENDER_FONT_FAMILY = 'LEGO DejaVu Sans';

const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'] as const;

/** `assets/fonts` of this package, from src/render (tsx, jest) or dist/src/render (built). */
function findFontDir(): string {
  let dir = __dirname;
  for (let depth = 0; depth < 5; depth += 1) {
    const candidate = join(dir, 'assets', 'fonts');
    if (existsSync(join(candidate, FONT_FILES[0]))) return candidate;
    dir = dirname(dir);
  }
  throw new LegoError('internal', `fonts not found: assets/fonts/${FONT_FILES[0]} above ${__dirname}`);
}

/**
 * Register the shipped fonts with @napi-rs/canvas under `RENDER_FONT_FAMILY`, once per process
 * (idempotent), so that rendering is the same on every machine. Returns the family name.
 */
export function ensureRenderFonts(): string {
  if (GlobalFonts.has(RENDER_FONT_FAMILY)) return RENDER_FONT_FAMILY;
  const dir = findFontDir();
  for (const file of FONT_FILES) {
    if (!GlobalFonts.registerFromPath(join(dir, file), RENDER_FONT_FAMILY)) {
      throw new LegoError('internal', `could not register font ${file}`);
    }
  }
  return RENDER_FONT_FAMILY;
}

/** A CSS font shorthand in the shipped family. */
export function renderFont(sizePx: number, weight: 'normal' | 'bold' = 'bold'): string {
  return `${weight} ${Math.round(sizePx)}px "${ensureRenderFonts()}"`;
}
