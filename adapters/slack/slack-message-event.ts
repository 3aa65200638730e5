import type { SlackFile } from './slack-file-attachment';

/** The fields of a `message` / `app_mention` event the adapter reads. */
export interface SlackMessageEvent {
  type: string;
  subtype?: string;
  channel: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  team?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  files?: SlackFile[];
  edited?: unknown;
}

/** Where the bot answers a message: the channel, and the thread (none for a top-level DM). */
export interface SlackReplyTarget {
  teamId: string;
  channel: string;
  threadTs: string | undefined;
  userId: string;
  isDm: boolean;
}

export function isDirectMessage(event: SlackMessageEvent): boolean {
  return event.channel_type === 'im' || event.channel.startsWith('D');
}

/**
 * One conversation per Slack thread; a top-level DM is one conversation with its person. A mention
 * at the top of a channel starts a thread on that message, so its key is the thread it will have.
 */
export function conversationKeyOf(target: Pick<SlackReplyTarget, 'teamId' | 'channel' | 'threadTs'>): string {
  return target.threadTs === undefined
    ? `slack:${target.teamId}:${target.channel}`
    : `slack:${target.teamId}:${target.channel}:${target.threadTs}`;
}

/** The reply target of a message: in its thread, or a new thread on it (top-level DMs stay top-level). */
export function replyTargetOf(event: SlackMessageEvent, teamId: string): SlackReplyTarget {
  const isDm = isDirectMessage(event);
  const threadTs = event.thread_ts ?? (isDm ? undefined : event.ts);
  return { teamId, channel: event.channel, threadTs, userId: event.user ?? '', isDm };
}

/** The user's words: mentions of the bot removed, whitespace tidied. */
export function questionText(text: string | undefined, botUserId: string | undefined): string {
  let out = text ?? '';
  if (botUserId !== undefined && botUserId !== '') {
    out = out.split(`<@${botUserId}>`).join(' ');
    out = out.replace(new RegExp(`<@${botUserId}\\|[^>]*>`, 'g'), ' ');
  }
  return out.replace(/\s+/g, ' ').trim();
}
