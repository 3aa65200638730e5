/** Discord API object shapes the fake sends (only the fields discord.js reads, with Discord's names). */
export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: null;
  bot?: boolean;
}

export interface FakeRole {
  id: string;
  name: string;
}

export interface FakeChannel {
  id: string;
  /** 0 text, 1 DM, 5 announcement, 11 public thread */
  type: number;
  name?: string;
  guild_id?: string;
  parent_id?: string | null;
  owner_id?: string;
  recipients?: FakeUser[];
}

export interface FakeGuild {
  id: string;
  name: string;
  roles: FakeRole[];
  channels: FakeChannel[];
  /** role ids per user id */
  memberRoles: Map<string, string[]>;
}

export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
  description?: string;
}

/** A message as the fake stores it, with the bytes of its files. */
export interface StoredMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: FakeUser;
  content: string;
  attachments: FakeAttachment[];
  mentions: FakeUser[];
  type: number;
  flags: number;
  timestamp: string;
  edited_timestamp: string | null;
  message_reference?: { message_id: string; channel_id: string; guild_id?: string };
  webhook_id?: string;
  application_id?: string;
  interaction_metadata?: Record<string, unknown>;
  /** not Discord's: what the bot sent, kept for assertions */
  allowedMentions?: unknown;
  /** not Discord's: every content this message had, first to last */
  history: string[];
  /** not Discord's: when each edit arrived (ms) */
  editTimes: number[];
}

export function userPayload(user: FakeUser): FakeUser {
  return { ...user };
}

export function rolePayload(role: FakeRole, position: number): Record<string, unknown> {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: '0',
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

export function channelPayload(channel: FakeChannel): Record<string, unknown> {
  const out: Record<string, unknown> = { id: channel.id, type: channel.type, flags: 0 };
  if (channel.guild_id !== undefined) out.guild_id = channel.guild_id;
  if (channel.name !== undefined) out.name = channel.name;
  if (channel.type === 1) out.recipients = channel.recipients ?? [];
  if (channel.type === 0 || channel.type === 5) {
    Object.assign(out, { position: 0, permission_overwrites: [], parent_id: null, topic: null, nsfw: false, rate_limit_per_user: 0, last_message_id: null });
  }
  if (channel.type === 11 || channel.type === 12 || channel.type === 10) {
    Object.assign(out, {
      parent_id: channel.parent_id ?? null,
      owner_id: channel.owner_id,
      rate_limit_per_user: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
    });
  }
  return out;
}

export function memberPayload(user: FakeUser | undefined, roles: readonly string[]): Record<string, unknown> {
  return {
    ...(user === undefined ? {} : { user: userPayload(user) }),
    roles: [...roles],
    nick: null,
    avatar: null,
    joined_at: new Date(0).toISOString(),
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
  };
}

export function guildPayload(guild: FakeGuild, bot: FakeUser): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: bot.id,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [rolePayload({ id: guild.id, name: '@everyone' }, 0), ...guild.roles.map((role, i) => rolePayload(role, i + 1))],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    joined_at: new Date(0).toISOString(),
    large: false,
    unavailable: false,
    member_count: 2,
    voice_states: [],
    members: [memberPayload(bot, [])],
    channels: guild.channels.filter((c) => c.type !== 11).map(channelPayload),
    threads: guild.channels.filter((c) => c.type === 11).map(channelPayload),
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/** The wire form of a stored message (the fake's own bookkeeping left out). */
export function messagePayload(message: StoredMessage, referenced?: StoredMessage): Record<string, unknown> {
  const { history: _history, editTimes: _edits, allowedMentions: _mentions, ...wire } = message;
  return {
    ...wire,
    author: userPayload(message.author),
    mentions: message.mentions.map(userPayload),
    mention_roles: [],
    mention_everyone: false,
    embeds: [],
    components: [],
    pinned: false,
    tts: false,
    ...(referenced === undefined ? {} : { referenced_message: messagePayload(referenced) }),
  };
}
