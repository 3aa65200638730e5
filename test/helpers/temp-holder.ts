/**
 * A child process for the temp clean-up test: opens a media temp folder under the folder given,
 * writes an input.mp4 into it as the video path does, prints the folder and waits to be killed.
 *
 *   node --import tsx test/helpers/temp-holder.ts /tmp/x
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withTempDir } from '../../src/media/temp-workspace';

void withTempDir(process.argv[2], async (dir) => {
  await writeFile(join(dir, 'input.mp4'), Buffer.alloc(64 * 1024));
  process.stdout.write(`${dir}\n`);
  await new Promise(() => setInterval(() => undefined, 1_000));
});
