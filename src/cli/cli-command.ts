import type { Command } from 'commander';
import type { CliContext } from './cli-context';

/**
 * One `lego` subcommand. `register` adds it to the program (commander) and its action does the work;
 * an action reports failure by throwing (the CLI prints one line and exits non-zero).
 */
export interface CliCommand {
  readonly name: string;
  register(program: Command, context: CliContext): void;
}
