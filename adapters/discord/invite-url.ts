import { PermissionFlagsBits } from 'discord.js';

/**
 * What the bot needs in a server: see channels and their history (replies quote the question), send
 * messages with files, and open and talk in threads. No administrator, no mention-everyone.
 */
export const REQUIRED_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory;

/** The scopes of the invite: the bot user and its slash commands. */
export const INVITE_SCOPES = ['bot', 'applications.commands'] as const;

/** The URL that adds the bot to a server with exactly these scopes and permissions. */
export function inviteUrl(applicationId: string): string {
  const query = new URLSearchParams({ client_id: applicationId, scope: INVITE_SCOPES.join(' '), permissions: REQUIRED_PERMISSIONS.toString() });
  return `https://discord.com/oauth2/authorize?${query.toString()}`;
}
