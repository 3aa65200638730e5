import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * `npm start`, `npm run lego` and the `lego` bin start node with glibc's mmap threshold fixed (issue 23:
 * large buffers go back to the system when freed). The three places must agree, and each must really
 * hand the variable to node.
 */
const ROOT = resolve(__dirname, '..', '..');
const SETTING = 'MALLOC_MMAP_THRESHOLD_=131072';
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const shebang = readFileSync(join(ROOT, 'src/cli/main.ts'), 'utf8').split('\n')[0]!;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lego-launch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A program that prints the variable node was started with, and its arguments. */
function probe(firstLine = ''): string {
  const file = join(dir, `probe-${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(file, `${firstLine}\nprocess.stdout.write(JSON.stringify({ threshold: process.env.MALLOC_MMAP_THRESHOLD_ ?? null, args: process.argv.slice(2) }));\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('the servers start with glibc\'s mmap threshold fixed', () => {
  it('npm start, npm run lego and the lego bin all set it', () => {
    expect(scripts.start).toBe(`${SETTING} exec node dist/src/main.js`);
    expect(scripts.lego).toBe(`${SETTING} exec node dist/src/cli/main.js`);
    expect(shebang).toBe(`#!/usr/bin/env -S ${SETTING} node`);
  });

  it('the scripts hand it to node through sh, as npm runs them', () => {
    for (const name of ['start', 'lego'] as const) {
      const line = scripts[name]!.replace(/dist\/src\/(cli\/)?main\.js$/, probe());
      const out = JSON.parse(execFileSync('sh', ['-c', `${line} a b`], { encoding: 'utf8', env: { PATH: process.env.PATH } })) as { threshold: string | null; args: string[] };
      expect(out).toEqual({ threshold: '131072', args: ['a', 'b'] });
    }
  });

  it('the bin\'s first line hands it to node when the file is run itself (npm\'s bin link)', () => {
    const out = JSON.parse(execFileSync(probe(shebang), ['--help'], { encoding: 'utf8', env: { PATH: process.env.PATH } })) as { threshold: string | null; args: string[] };
    expect(out).toEqual({ threshold: '131072', args: ['--help'] });
  });

  it('the build keeps that first line (dist/ is what the bin links to)', () => {
    execFileSync(process.execPath, ['scripts/build.js', '--if-stale'], { cwd: ROOT, stdio: 'ignore' });
    expect(readFileSync(join(ROOT, 'dist/src/cli/main.js'), 'utf8').split('\n')[0]).toBe(shebang);
  }, 120_000);
});
