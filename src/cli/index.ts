/** The `lego` CLI as a library (tests, other entry points). */
export { runCli, createProgram } from './program';
export type { RunCliOptions } from './program';
export { CLI_COMMANDS } from './commands';
export type { CliCommand } from './cli-command';
export type { CliBot, CliContext, GlobalOptions } from './cli-context';
export { processIo } from './cli-io';
export type { CliIo } from './cli-io';
export { errorLine } from './cli-error';
export type { AskJson } from './reply-output';
