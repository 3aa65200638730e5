import type { Command } from 'commander';
import type { CliCommand } from '../../src/cli/cli-command';
import type { GlobalOptions } from '../../src/cli/cli-context';
import { LegoError } from '../../src/errors';

interface RegisterFlags {
  guild?: string;
}

/**
 * `lego discord:register [--guild <id>]`: registers /lego with Discord using the configured token
 * (DISCORD_TOKEN). With --guild (or LEGO_DISCORD_COMMAND_GUILD_ID) in that server only, at once;
 * without, globally. discord.js is loaded only when the command runs.
 */
export const discordRegisterCommand: CliCommand = {
  name: 'discord:register',
  register(program, context) {
    program
      .command('discord:register')
      .description('register the /lego slash commands with Discord (token from DISCORD_TOKEN)')
      .option('--guild <id>', 'register in this server only (instant); default: discord.commandGuildId, else globally')
      .action(async (flags: RegisterFlags, command: Command) => {
        if (flags.guild !== undefined && !/^\d{1,20}$/.test(flags.guild)) {
          throw new LegoError('config-invalid', `--guild must be a server id (digits), got ${flags.guild}`, {
            userMessage: `--guild must be a server id (digits), got ${flags.guild}`,
          });
        }
        const config = context.config(command.optsWithGlobals<GlobalOptions & RegisterFlags>());
        const { registerCommands } = await import('./register-commands');
        const result = await registerCommands(config.discord, flags.guild ?? config.discord.commandGuildId);
        const where = result.scope === 'global' ? 'globally (Discord may take up to an hour to show them)' : `in server ${result.scope}`;
        context.io.stdout.write(`Registered /${result.commands.join(', /')} for application ${result.applicationId} ${where}.\n`);
      });
  },
};
