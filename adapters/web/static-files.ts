import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';

export interface StaticFile {
  data: Buffer;
  contentType: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.mp4': 'video/mp4',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The web chat's files (plain HTML/CSS/JS, no build step), read once at start: requests are served
 * from this map by exact name, so no path from a request ever reaches the file system. With a
 * `prefix` ('/samples') the folder's files are named under it, and there is no index.
 */
export async function loadStaticFiles(folder: string, prefix = ''): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const contentType = CONTENT_TYPES[extname(entry.name).toLowerCase()];
    if (contentType === undefined) continue;
    files.set(`${prefix}/${entry.name}`, { data: await readFile(join(folder, entry.name)), contentType });
  }
  const index = files.get('/index.html');
  if (prefix === '' && index !== undefined) files.set('/', index);
  return files;
}

/**
 * The package's sample media (assets/samples, with samples.json; written by
 * models/lego-tiny/recipe/samples.py), found above this file whether it runs from adapters/web (tsx,
 * jest) or dist/adapters/web (built); undefined where there is none (the welcome then offers none).
 */
export function findSamplesDir(from = __dirname): string | undefined {
  let dir = from;
  for (let depth = 0; depth < 5; depth += 1) {
    const candidate = join(dir, 'assets', 'samples');
    if (existsSync(join(candidate, 'samples.json'))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}
