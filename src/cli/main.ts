#!/usr/bin/env node
/** The `lego` command: `npm run lego -- ask --image FILE "question"`, `lego chat`. */
import { processIo } from './cli-io';
import { runCli } from './program';

void runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
