/** The Discord adapter (discord.js). The composition root creates it with the bot pipeline. */
export { createDiscordAdapter, DiscordAdapter, DISCORD_INTENTS } from './discord-adapter';
export type { DiscordAdapterOptions } from './discord-adapter';
export { legoCommandDefinitions, LEGO_COMMAND } from './slash-commands';
export { registerCommands } from './register-commands';
export type { RegisterCommandsResult } from './register-commands';
export { DISCORD_MESSAGE_LIMIT } from './user-texts';
export { checkAccess } from './access-policy';
export type { AccessLists, AccessPolicyOptions, AccessSubject, AccessDecision } from './access-policy';
export { inviteUrl, INVITE_SCOPES, REQUIRED_PERMISSIONS } from './invite-url';
