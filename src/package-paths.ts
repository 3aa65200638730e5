import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * The folder of this package (the one with package.json), from src/ (tsx, jest) or dist/src/ (built):
 * where the shipped models/lego-tiny, assets/ and the recipe's outputs live.
 */
export function packageRoot(from = __dirname): string {
  let dir = from;
  for (let depth = 0; depth < 5; depth += 1) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'models'))) return dir;
    dir = dirname(dir);
  }
  return resolve(from, '..');
}

/**
 * A path from the command line or the configuration: relative paths are read from the working folder
 * as usual; one that is not there but is in the package (the default `models/lego-tiny`, the recipe's
 * `models/lego-tiny/work/evalset`) is read from the package, so `lego` works from any folder.
 */
export function resolvePackagePath(path: string, cwd = process.cwd()): string {
  if (isAbsolute(path)) return path;
  const fromCwd = resolve(cwd, path);
  if (existsSync(fromCwd)) return fromCwd;
  const fromPackage = resolve(packageRoot(), path);
  return existsSync(fromPackage) ? fromPackage : fromCwd;
}
