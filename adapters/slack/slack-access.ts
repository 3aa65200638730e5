import type { SlackMessageEvent } from './slack-message-event';
import { isDirectMessage } from './slack-message-event';

/** The allow lists; an empty list allows everyone. DMs are not channels: only teams and users apply. */
export interface SlackAllowLists {
  teams: readonly string[];
  channels: readonly string[];
  users: readonly string[];
}

export function isAllowed(lists: SlackAllowLists, where: { teamId: string; channel: string; userId: string; isDm: boolean }): boolean {
  if (lists.teams.length > 0 && !lists.teams.includes(where.teamId)) return false;
  if (lists.users.length > 0 && !lists.users.includes(where.userId)) return false;
  if (!where.isDm && lists.channels.length > 0 && !lists.channels.includes(where.channel)) return false;
  return true;
}

/** Message subtypes that are a person saying something new; edits, deletions, joins… are not. */
const ANSWERABLE_SUBTYPES = new Set<string | undefined>([undefined, 'file_share', 'thread_broadcast']);

/** Why a message event is ignored, or null when it is a person's new message. */
export function ignoreReason(event: SlackMessageEvent, botUserId: string | undefined, botId: string | undefined): string | null {
  if (!ANSWERABLE_SUBTYPES.has(event.subtype)) return `subtype ${event.subtype ?? ''}`;
  if (event.bot_id !== undefined) return event.bot_id === botId ? 'own message' : 'bot message';
  if (event.user === undefined) return 'no user';
  if (botUserId !== undefined && event.user === botUserId) return 'own message';
  return null;
}

/**
 * Whether a plain `message` event (not a mention) is for the bot: a DM, or a reply in a thread the bot
 * answered in. Messages that mention the bot are left to the `app_mention` event.
 */
export function isFollowUp(event: SlackMessageEvent, botUserId: string | undefined, knownThread: (key: string) => boolean, key: string): boolean {
  if (botUserId !== undefined && (event.text ?? '').includes(`<@${botUserId}`)) return false;
  if (isDirectMessage(event)) return true;
  return event.thread_ts !== undefined && knownThread(key);
}
