import { appSections } from '../../src/cli/commands';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inviteUrl, REQUIRED_PERMISSIONS } from '../../adapters/discord/invite-url';
import { requireDiscordToken } from '../../adapters/discord/discord-config';
import { loadConfig } from '../../src/config/load-config';

describe('discord config', () => {
  it('reads the token from DISCORD_TOKEN and lists from LEGO_DISCORD_*', () => {
    const { config } = loadConfig({
      sections: appSections(),
      env: { DISCORD_TOKEN: 'secret-token', LEGO_DISCORD_ALLOW_GUILDS: '1,2', LEGO_DISCORD_DENY_ROLES: '9', LEGO_DISCORD_CREATE_THREADS: 'yes', LEGO_DISCORD_DM: 'off' },
    });
    expect(requireDiscordToken(config.discord)).toBe('secret-token');
    expect(config.discord.allow.guilds).toEqual(['1', '2']);
    expect(config.discord.deny.roles).toEqual(['9']);
    expect(config.discord.createThreads).toBe(true);
    expect(config.discord.dm).toBe(false);
    expect(config.discord.cdnHosts).toEqual(['cdn.discordapp.com', 'media.discordapp.net']);
    expect(config.discord.api).toBe('https://discord.com/api');
  });

  it('LEGO_DISCORD_TOKEN works too; a missing token is named, never a value', () => {
    expect(requireDiscordToken(loadConfig({ sections: appSections(), env: { LEGO_DISCORD_TOKEN: 't2' } }).config.discord)).toBe('t2');
    expect(() => requireDiscordToken(loadConfig({ sections: appSections(), env: {} }).config.discord)).toThrow(/DISCORD_TOKEN/);
  });

  it('names a bad setting with its env variable without echoing the token', () => {
    let message = '';
    try {
      loadConfig({ sections: appSections(), env: { DISCORD_TOKEN: 'secret-token', LEGO_DISCORD_ALLOW_GUILDS: 'general' } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/LEGO_DISCORD_ALLOW_GUILDS/);
    expect(message).not.toContain('secret-token');
  });

  it('the README gives the invite scopes and the permission integer the code uses', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    expect(inviteUrl('123')).toContain('scope=bot+applications.commands');
    expect(readme).toContain(`permissions=${REQUIRED_PERMISSIONS.toString()}`);
    expect(readme).toContain('scope=bot+applications.commands');
  });
});
