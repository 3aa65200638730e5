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
import type { discordSection } from '../../adapters/discord/discord-config';
import { discordRegisterCommand } from '../../adapters/discord/register-cli-command';
import type { serveSection } from '../../adapters/openai-server/serve-config';
import { serveCommand } from '../../adapters/openai-server/serve-command';
import type { slackSection } from '../../adapters/slack/slack-config';
import type { webSection } from '../../adapters/web/web-config';
import type { ConfigInputOf, ConfigOf, coreSections } from '../config/schema';
import { askCommand } from './ask-command';
import { chatCommand } from './chat-command';
import { evalCommand } from './eval-command';
import type { CliCommand } from './cli-command';

/** Every configuration section of the product: the core ones and the adapters' own (their settings live beside them). */
export type AppSections = typeof coreSections & {
  web: typeof webSection;
  serve: typeof serveSection;
  slack: typeof slackSection;
  discord: typeof discordSection;
};

let sections: AppSections | undefined;

/**
 * The sections the service (src/main.ts) and the CLI load. Required on first use, not at start, so that
 * `lego --help` loads no zod schema (see docs/benchmarks.md, CLI start-up).
 */
export function appSections(): AppSections {
  /* eslint-disable @typescript-eslint/no-require-imports */
  sections ??= {
    ...(require('../config/schema') as typeof import('../config/schema')).coreSections,
    web: (require('../../adapters/web/web-config') as typeof import('../../adapters/web/web-config')).webSection,
    serve: (require('../../adapters/openai-server/serve-config') as typeof import('../../adapters/openai-server/serve-config')).serveSection,
    slack: (require('../../adapters/slack/slack-config') as typeof import('../../adapters/slack/slack-config')).slackSection,
    discord: (require('../../adapters/discord/discord-config') as typeof import('../../adapters/discord/discord-config')).discordSection,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return sections;
}

/** The whole validated configuration: every section, every default filled in. */
export type AppConfig = ConfigOf<AppSections>;
export type AppConfigInput = ConfigInputOf<AppSections>;

export const CLI_COMMANDS: readonly CliCommand[] = [askCommand, chatCommand, serveCommand, discordRegisterCommand, evalCommand];
