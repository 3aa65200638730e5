import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot, resolvePackagePath } from '../src/package-paths';

describe('paths of the package (the shipped model, the recipe outputs)', () => {
  const ROOT = resolve(__dirname, '..');
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'lego-paths-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it('finds the package root from src/ (and would from dist/src/)', () => {
    expect(packageRoot()).toBe(ROOT);
    expect(packageRoot(join(ROOT, 'dist', 'src'))).toBe(ROOT);
  });

  it('reads the default models/lego-tiny from the package when the working folder has none', () => {
    expect(resolvePackagePath('models/lego-tiny', cwd)).toBe(join(ROOT, 'models', 'lego-tiny'));
  });

  it('prefers the working folder, keeps absolute paths, and names the working folder for what exists nowhere', () => {
    mkdirSync(join(cwd, 'models', 'lego-tiny'), { recursive: true });
    expect(resolvePackagePath('models/lego-tiny', cwd)).toBe(join(cwd, 'models', 'lego-tiny'));
    expect(resolvePackagePath('/somewhere/else', cwd)).toBe('/somewhere/else');
    expect(resolvePackagePath('my-bundle', cwd)).toBe(join(cwd, 'my-bundle'));
  });
});
