#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 node
/**
 * The `lego` command: `npm run lego -- ask --image FILE "question"`, `lego chat`.
 *
 * The first line starts node with glibc's mmap threshold fixed at its default (128 KiB), as `npm start`
 * and `npm run lego` do (package.json): large buffers (uploads, decoded frames) are then mapped and given
 * back to the system when freed, instead of glibc raising the threshold after the first one and
 * keeping later ones in heaps that only grow (docs/benchmarks.md, issue 23: ~30 MB less at the peak of
 * 22 web turns, same speed). Other C libraries ignore the variable.
 */
import { scrubbedErrorText, scrubText } from '../log-scrubber';
import { processIo } from './cli-io';
import { runCli } from './program';

// everything the CLI writes to stderr (commander's usage errors echo arguments, a token among them) is
// scrubbed like a log line; so are errors nobody caught, which Node would print as they are
const io = processIo();
io.stderr = { write: (text: string) => process.stderr.write(scrubText(text)) };
const crash = (error: unknown): void => {
  process.stderr.write(`lego: ${scrubbedErrorText(error, true)}\n`);
  process.exit(1);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

void runCli(process.argv.slice(2), io).then((code) => {
  process.exitCode = code;
});
