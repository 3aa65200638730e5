import { REST, Routes } from 'discord.js';
import type { APIApplication, RESTPutAPIApplicationCommandsResult } from 'discord.js';
import { loadConfig } from '../../src/config/load-config';
import { requireDiscordToken } from '../../src/config/discord';
import type { DiscordConfig } from '../../src/config/discord';
import { legoCommandDefinitions } from './slash-commands';

export interface RegisterCommandsResult {
  applicationId: string;
  /** 'global' or the server id */
  scope: string;
  commands: string[];
}

/**
 * Registers `/lego` (PUT replaces the application's commands in that scope). Guild commands show up
 * at once; global ones can take up to an hour on Discord's side.
 */
export async function registerCommands(config: DiscordConfig, guildId = config.commandGuildId): Promise<RegisterCommandsResult> {
  const rest = new REST({ api: config.api }).setToken(requireDiscordToken(config));
  const applicationId = config.applicationId ?? ((await rest.get(Routes.currentApplication())) as APIApplication).id;
  const body = legoCommandDefinitions();
  const route = guildId === undefined ? Routes.applicationCommands(applicationId) : Routes.applicationGuildCommands(applicationId, guildId);
  const saved = (await rest.put(route, { body })) as RESTPutAPIApplicationCommandsResult;
  return { applicationId, scope: guildId ?? 'global', commands: saved.map((command) => command.name) };
}

/** `npm run discord:register [-- --guild <id>]` */
async function main(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf('--guild');
  const guild = at >= 0 ? argv[at + 1] : undefined;
  const { config } = loadConfig();
  const result = await registerCommands(config.discord, guild ?? config.discord.commandGuildId);
  process.stdout.write(
    `Registered /${result.commands.join(', /')} for application ${result.applicationId} (${result.scope === 'global' ? 'global: may take up to an hour to appear' : `server ${result.scope}`}).\n`,
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`discord:register failed: ${message}\n`);
    process.exitCode = 1;
  });
}
