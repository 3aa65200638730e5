import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../process-alive';

/** Every temporary folder of the media pipeline starts with this, under `MediaOptions.tempDir`. */
export const TEMP_DIR_PREFIX = 'lego-media-';

/** `lego-media-<pid>-XXXXXX`: the pid says whose folder it is, for the clean-up at start. */
const OURS = /^lego-media-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * Run `work` with a fresh private folder and remove the folder afterwards, whatever happens. `work`
 * must only return once every process writing into the folder has exited. The folder is named after
 * this process (`lego-media-<pid>-…`), so that a process killed with SIGKILL, which cannot remove
 * its folders, has them removed by the next start (removeStaleTempDirs).
 */
export async function withTempDir<T>(tempDir: string | undefined, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tempDir ?? tmpdir(), `${TEMP_DIR_PREFIX}${process.pid}-`));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * At start: remove the media pipeline's temporary folders left behind by processes of this host that
 * no longer run (kill -9 mid-video leaves an input.mp4 and frames). Only folders named by
 * withTempDir whose pid is gone are touched; anything else in the folder is left alone. Resolves with
 * the folders removed.
 */
export async function removeStaleTempDirs(tempDir: string | undefined, alive: (pid: number) => boolean = processAlive): Promise<string[]> {
  const base = tempDir ?? tmpdir();
  let names: string[];
  try {
    names = await readdir(base);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = OURS.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || alive(pid)) continue;
    const dir = join(base, name);
    await rm(dir, { recursive: true, force: true }).then(
      () => removed.push(dir),
      () => undefined,
    );
  }
  return removed;
}
