import { REST, Routes } from 'discord.js';
import type { APIApplication, RESTPutAPIApplicationCommandsResult } from 'discord.js';
import { requireDiscordToken } from './discord-config';
import type { DiscordConfig } from './discord-config';
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
  try {
    const applicationId = config.applicationId ?? ((await rest.get(Routes.currentApplication())) as APIApplication).id;
    const body = legoCommandDefinitions();
    const route = guildId === undefined ? Routes.applicationCommands(applicationId) : Routes.applicationGuildCommands(applicationId, guildId);
    const saved = (await rest.put(route, { body })) as RESTPutAPIApplicationCommandsResult;
    return { applicationId, scope: guildId ?? 'global', commands: saved.map((command) => command.name) };
  } finally {
    // the REST client's sweepers are intervals that would keep a one-shot command alive
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}
