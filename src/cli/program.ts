import { Command, CommanderError, Option } from 'commander';
import type { GroundingEngine } from '../engine/types';
import { errorLine } from './cli-error';
import type { CliCommand } from './cli-command';
import { createCliContext } from './cli-context';
import type { CliIo } from './cli-io';
import { CLI_COMMANDS } from './commands';

export interface RunCliOptions {
  /** default: CLI_COMMANDS */
  commands?: readonly CliCommand[];
  /** the environment for the configuration; default: the process's (read by the config loader only) */
  env?: Readonly<Record<string, string | undefined>>;
  /** answer with this engine instead of opening the configured one (tests, embedding); the caller disposes it */
  engine?: GroundingEngine;
}

/** The `lego` program with its global options and subcommands. */
export function createProgram(io: CliIo, options: RunCliOptions = {}): Command {
  const context = createCliContext(io, options.env, options.engine);
  const program = new Command('lego')
    .description('LEGO grounding model in the terminal: ask about images and videos, get boxes and time spans back')
    .option('--bundle <dir>', 'LEGO bundle folder (env LEGO_ENGINE_BUNDLE; default models/lego-tiny)')
    .addOption(new Option('--engine <kind>', 'which engine answers: the bundle in process, or an OpenAI-compatible server (env LEGO_ENGINE_KIND; remote: LEGO_REMOTE_ENDPOINTS)').choices(['onnx', 'remote']))
    .addOption(new Option('--provider <name>', 'where the model runs (env LEGO_ENGINE_EXECUTION_PROVIDER)').choices(['cpu', 'cuda']))
    .addOption(new Option('--log-level <level>', 'log level on stderr (env LEGO_LOGGING_LEVEL; default warn)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) });
  for (const command of options.commands ?? CLI_COMMANDS) command.register(program, context);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Run `lego` with `argv` (without node and script); resolves with the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo, options: RunCliOptions = {}): Promise<number> {
  const program = createProgram(io, options);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its message (usage errors) or the help/version text
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.help' ? 0 : 2;
    }
    io.stderr.write(errorLine(error));
    return 1;
  }
}
