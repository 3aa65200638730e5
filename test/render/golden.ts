import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** Set LEGO_UPDATE_GOLDENS=1 to (re)write the golden PNGs from the current rendering. */
export const UPDATE_GOLDENS = process.env.LEGO_UPDATE_GOLDENS === '1';
const GOLDEN_DIR = join(__dirname, 'goldens');

export interface GoldenTolerance {
  /** a pixel differs when any channel differs by more than this (0..255) */
  channelThreshold: number;
  /** most pixels allowed to differ, as a fraction */
  maxDifferentFraction: number;
}

const DEFAULT_TOLERANCE: GoldenTolerance = { channelThreshold: 40, maxDifferentFraction: 0.004 };

/**
 * Compare a rendered PNG with `test/render/goldens/<name>.png` pixel by pixel within a tolerance
 * (anti-aliasing may differ by a hair between machines). On a mismatch the actual image is written
 * next to the temp folder for a look.
 */
export async function expectMatchesGolden(png: Buffer, name: string, tolerance: GoldenTolerance = DEFAULT_TOLERANCE): Promise<void> {
  const goldenPath = join(GOLDEN_DIR, `${name}.png`);
  if (UPDATE_GOLDENS) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(goldenPath, png);
    return;
  }
  if (!existsSync(goldenPath)) throw new Error(`golden ${goldenPath} is missing: run with LEGO_UPDATE_GOLDENS=1`);
  const [actual, expected] = await Promise.all(
    [png, goldenPath].map((input) => sharp(input).ensureAlpha().raw().toBuffer({ resolveWithObject: true })),
  );
  if (!actual || !expected) throw new Error('could not decode the images');
  const actualPath = join(tmpdir(), `lego-golden-${name}.actual.png`);
  if (actual.info.width !== expected.info.width || actual.info.height !== expected.info.height) {
    writeFileSync(actualPath, png);
    throw new Error(
      `${name}: size ${actual.info.width}×${actual.info.height} != golden ${expected.info.width}×${expected.info.height} (actual: ${actualPath})`,
    );
  }
  let different = 0;
  const pixels = actual.info.width * actual.info.height;
  for (let i = 0; i < pixels * 4; i += 4) {
    for (let c = 0; c < 4; c += 1) {
      if (Math.abs((actual.data[i + c] ?? 0) - (expected.data[i + c] ?? 0)) > tolerance.channelThreshold) {
        different += 1;
        break;
      }
    }
  }
  if (different / pixels > tolerance.maxDifferentFraction) {
    writeFileSync(actualPath, png);
    throw new Error(
      `${name}: ${different} of ${pixels} pixels differ from the golden (allowed ${(tolerance.maxDifferentFraction * 100).toFixed(2)}%); actual: ${actualPath}`,
    );
  }
}
