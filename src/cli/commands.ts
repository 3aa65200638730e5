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
import { discordSection } from '../../adapters/discord/discord-config';
import { discordRegisterCommand } from '../../adapters/discord/register-cli-command';
import { serveSection } from '../../adapters/openai-server/serve-config';
import { serveCommand } from '../../adapters/openai-server/serve-command';
import { slackSection } from '../../adapters/slack/slack-config';
import { webSection } from '../../adapters/web/web-config';
import { coreSections } from '../config/schema';
import type { ConfigInputOf, ConfigOf, SectionMap } from '../config/schema';
import { askCommand } from './ask-command';
import { chatCommand } from './chat-command';
import { evalCommand } from './eval-command';
import type { CliCommand } from './cli-command';

/**
 * Every configuration section of the product: the core ones and the adapters' own (their settings live
 * beside them). The service (src/main.ts) and the CLI load exactly these.
 */
export const APP_SECTIONS = {
  ...coreSections,
  web: webSection,
  serve: serveSection,
  slack: slackSection,
  discord: discordSection,
} as const satisfies SectionMap;

/** The whole validated configuration: every section, every default filled in. */
export type AppConfig = ConfigOf<typeof APP_SECTIONS>;
export type AppConfigInput = ConfigInputOf<typeof APP_SECTIONS>;

export const CLI_COMMANDS: readonly CliCommand[] = [askCommand, chatCommand, serveCommand, discordRegisterCommand, evalCommand];
