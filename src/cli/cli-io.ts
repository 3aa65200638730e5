import type { Readable } from 'node:stream';

/** Where the CLI reads and writes: the process's streams, or buffers in tests. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin: Readable;
  /** whether stdout is a terminal (prompts and colours only then) */
  interactive: boolean;
  /** the folder relative paths are resolved against */
  cwd: string;
}

/** The real process's streams. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    interactive: process.stdout.isTTY === true,
    cwd: process.cwd(),
  };
}
