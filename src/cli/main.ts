#!/usr/bin/env node
/** The `lego` command: `npm run lego -- ask --image FILE "question"`, `lego chat`. */
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
