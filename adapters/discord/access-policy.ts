/** Who the bot answers where: allow and deny lists for servers, channels, users and roles, and DMs on or off. */
export interface AccessLists {
  guilds: readonly string[];
  channels: readonly string[];
  users: readonly string[];
  roles: readonly string[];
}

export interface AccessPolicyOptions {
  allow: AccessLists;
  deny: AccessLists;
  dm: boolean;
}

/** The place and person of one message or command. */
export interface AccessSubject {
  /** null in a direct message */
  guildId: string | null;
  /** the channel, and for a thread also its parent channel */
  channelIds: readonly string[];
  userId: string;
  /** the member's role ids (empty in a DM) */
  roleIds: readonly string[];
}

export type AccessDecision = { allowed: true } | { allowed: false; reason: string };

function listed(list: readonly string[], ids: readonly string[]): boolean {
  return ids.some((id) => list.includes(id));
}

/** Deny lists win; a non-empty allow list must contain the subject; DMs need `dm` and pass the user lists only. */
export function checkAccess(options: AccessPolicyOptions, subject: AccessSubject): AccessDecision {
  const { allow, deny } = options;
  if (deny.users.includes(subject.userId)) return { allowed: false, reason: 'user denied' };
  if (allow.users.length > 0 && !allow.users.includes(subject.userId)) return { allowed: false, reason: 'user not allowed' };
  if (subject.guildId === null) {
    return options.dm ? { allowed: true } : { allowed: false, reason: 'direct messages are off' };
  }
  if (deny.guilds.includes(subject.guildId)) return { allowed: false, reason: 'server denied' };
  if (allow.guilds.length > 0 && !allow.guilds.includes(subject.guildId)) return { allowed: false, reason: 'server not allowed' };
  if (listed(deny.channels, subject.channelIds)) return { allowed: false, reason: 'channel denied' };
  if (allow.channels.length > 0 && !listed(allow.channels, subject.channelIds)) return { allowed: false, reason: 'channel not allowed' };
  if (listed(deny.roles, subject.roleIds)) return { allowed: false, reason: 'role denied' };
  if (allow.roles.length > 0 && !listed(allow.roles, subject.roleIds)) return { allowed: false, reason: 'no allowed role' };
  return { allowed: true };
}
