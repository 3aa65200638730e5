#!/usr/bin/env node
/**
 * Compiles src/ and adapters/ into dist/ (tsconfig.build.json) and copies the web chat's static files
 * beside the compiled adapter, so that `lego` (package.json bin), `npm start` and `npm run lego` run
 * plain JavaScript: no TypeScript compiler at every start.
 *
 *   node scripts/build.js             always build (`npm run build`)
 *   node scripts/build.js --if-stale  build only when a file under src/ or adapters/ (or a tsconfig) is newer
 *                                     than the last build: `prepare` (npm ci, npm install, and npx, which
 *                                     links the checkout into its cache and prepares it again), `prestart`,
 *                                     `prelego`: a fresh clone, a pull or an edit never runs yesterday's
 *                                     code, an unchanged checkout starts at once
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const dist = join(root, 'dist');
const stamp = join(dist, '.build-stamp');
const inputs = ['src', 'adapters', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest modification time (ms) of a file or of any file below a folder. */
function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs; // a deleted or renamed file changes its folder's time
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function stale() {
  const built = statSync(stamp, { throwIfNoEntry: false });
  if (built === undefined) return true;
  return inputs.some((input) => newest(join(root, input)) > built.mtimeMs);
}

const ifStale = process.argv.includes('--if-stale');
if (ifStale && !stale()) process.exit(0);

let tscPath;
try {
  tscPath = require.resolve('typescript/bin/tsc', { paths: [root] });
} catch {
  // `npm ci --omit=dev` has no compiler: a dist/ built before (a Docker build stage) is what runs
  if (existsSync(join(dist, 'src', 'cli', 'main.js'))) {
    process.stderr.write('lego: TypeScript is not installed (npm ci --omit=dev?): keeping the dist/ built before\n');
    process.exit(0);
  }
  process.stderr.write('lego: cannot build dist/: TypeScript is not installed; install the devDependencies too (npm ci)\n');
  process.exit(1);
}

if (ifStale) process.stderr.write(existsSync(stamp) ? 'lego: sources changed since the last build, compiling…\n' : 'lego: no build yet, compiling…\n');
const started = Date.now();
rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [tscPath, '-p', join(root, 'tsconfig.build.json')], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  process.stderr.write('lego: the TypeScript build failed (see the errors above); dist/ is incomplete\n');
  process.exit(tsc.status ?? 1);
}
cpSync(join(root, 'adapters', 'web', 'public'), join(dist, 'adapters', 'web', 'public'), { recursive: true });
mkdirSync(dist, { recursive: true });
writeFileSync(stamp, `${new Date().toISOString()}\n`);
process.stderr.write(`lego: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
