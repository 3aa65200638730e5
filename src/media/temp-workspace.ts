import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every temporary folder of the media pipeline starts with this, under `MediaOptions.tempDir`. */
export const TEMP_DIR_PREFIX = 'lego-media-';

/**
 * Run `work` with a fresh private folder and remove the folder afterwards, whatever happens. `work`
 * must only return once every process writing into the folder has exited.
 */
export async function withTempDir<T>(tempDir: string | undefined, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tempDir ?? tmpdir(), TEMP_DIR_PREFIX));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
