/**
 * The `lego` subcommands.
 *
 * ADDING A SUBCOMMAND (`lego serve`, `lego eval`, `lego discord:register`…):
 *   1. write `src/cli/<name>-command.ts` exporting `<name>Command: CliCommand` (see ./cli-command.ts;
 *      ./ask-command.ts is a small example): `register(program, context)` declares it with commander,
 *      reads the configuration through `context.config(globals, overrides)` and opens the engine and
 *      pipeline with `context.openBot(config)` when it needs them; it throws to fail (one line, exit 1);
 *   2. add it to `CLI_COMMANDS` below (one line).
 * Adapters' commands may import from adapters/: the CLI is a composition root, src/ outside it is not.
 */
import { discordRegisterCommand } from '../../adapters/discord/register-cli-command';
import { serveCommand } from '../../adapters/openai-server/serve-command';
import { askCommand } from './ask-command';
import { chatCommand } from './chat-command';
import { evalCommand } from './eval-command';
import type { CliCommand } from './cli-command';

export const CLI_COMMANDS: readonly CliCommand[] = [askCommand, chatCommand, serveCommand, discordRegisterCommand, evalCommand];
