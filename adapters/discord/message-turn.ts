import { ChannelType, ThreadAutoArchiveDuration } from 'discord.js';
import type { Attachment, Message, SendableChannels } from 'discord.js';
import type { IncomingMessage } from '../../src/bot/types';
import { checkAccess } from './access-policy';
import type { AdapterContext } from './adapter-context';
import { downloadFromCdn, toIncomingAttachment } from './attachment-download';
import { chainConversationKey, dmConversationKey, threadConversationKey } from './conversation-key';
import { toPayload } from './message-payload';
import { isImage, isSound, pickMedia } from './pick-media';
import type { ReplyTarget } from './reply-target';
import { discordSurface } from './discord-surface';
import { EMPTY_MENTION_TEXT } from './user-texts';

const ARCHIVE: Record<number, ThreadAutoArchiveDuration> = {
  60: ThreadAutoArchiveDuration.OneHour,
  1440: ThreadAutoArchiveDuration.OneDay,
  4320: ThreadAutoArchiveDuration.ThreeDays,
  10080: ThreadAutoArchiveDuration.OneWeek,
};

function mentionPattern(botId: string): RegExp {
  return new RegExp(`<@!?${botId}>`, 'g');
}

function threadName(text: string): string {
  const words = text.replace(/\s+/g, ' ').trim();
  if (words === '') return 'LEGO';
  return words.length <= 90 ? words : `${words.slice(0, 89)}…`;
}

/** Whether the message replies to one of the bot's messages (pinging it or not). */
function repliesToBot(message: Message, botId: string): boolean {
  const referenced = message.reference?.messageId;
  if (referenced === undefined) return false;
  // Discord sends the message replied to along (referenced_message): its author is the replied user
  return message.mentions.repliedUser?.id === botId || message.channel.messages.cache.get(referenced)?.author.id === botId;
}

/** Why the bot answers this message, or null when it stays silent. */
async function addressedBy(ctx: AdapterContext, message: Message, botId: string, replyToBot: boolean): Promise<'dm' | 'mention' | 'thread' | 'reply' | null> {
  if (!message.inGuild()) return 'dm';
  if (message.mentions.users.has(botId) || mentionPattern(botId).test(message.content)) return 'mention';
  const channel = message.channel;
  if (ctx.config.continueInThreads && channel.isThread() && (channel.ownerId === botId || (await ctx.memory.isBotThread(channel.id)))) return 'thread';
  if (ctx.config.continueInReplies && replyToBot) return 'reply';
  return null;
}

/**
 * The conversation of a reply to one of the bot's messages: the one remembered for the message replied
 * to, or for a message further up the chain (the bot's own answer may not be remembered yet when
 * someone replies within milliseconds), else one keyed by the chain's root.
 */
async function replyChainKey(ctx: AdapterContext, message: Message<true>, referencedId: string): Promise<string> {
  let id: string | undefined = referencedId;
  let root = referencedId;
  for (let depth = 0; id !== undefined && depth < 25; depth++) {
    const known = await ctx.memory.conversationOf(id);
    if (known !== undefined) return known;
    root = id;
    id = message.channel.messages.cache.get(id)?.reference?.messageId;
  }
  return chainConversationKey(message.guildId, message.channelId, root);
}

/**
 * A message from the gateway: answered when it is a DM, mentions the bot, is in a thread the bot
 * started or replies to the bot (both configurable) — from people only, where the lists allow.
 */
export async function handleMessage(ctx: AdapterContext, message: Message): Promise<void> {
  if (ctx.isStopping()) return;
  if (message.author.bot || message.webhookId !== null || message.system) return;
  const botId = ctx.client.user?.id;
  if (botId === undefined) return;
  // "the last image in view": any person's latest message with media in the channel, addressed to the bot or not
  if (message.attachments.some((a) => isImage(a) || (a.contentType ?? '').startsWith('video/'))) await ctx.memory.rememberMediaMessage(message.channelId, message.id);
  const replyToBot = repliesToBot(message, botId);
  const why = await addressedBy(ctx, message, botId, replyToBot);
  if (why === null) return;
  const channel = message.channel;
  const inGuild = message.inGuild();
  const access = checkAccess(
    { allow: ctx.config.allow, deny: ctx.config.deny, dm: ctx.config.dm },
    {
      guildId: message.guildId,
      channelIds: [message.channelId, ...(channel.isThread() && channel.parentId !== null ? [channel.parentId] : [])],
      userId: message.author.id,
      roleIds: message.member?.roles.cache.map((role) => role.id) ?? [],
    },
  );
  if (!access.allowed) {
    ctx.logger.debug({ channel: message.channelId, reason: access.reason }, 'discord: not answering here');
    return;
  }
  const text = message.content.replace(mentionPattern(botId), '').trim();
  let attachments: Attachment[] = [...message.attachments.values()];
  if (attachments.length === 0 && message.reference?.messageId !== undefined && !replyToBot) {
    // "@LEGO what is this?" as a reply to someone's picture: read the picture replied to.
    const referenced = channel.messages.cache.get(message.reference.messageId);
    if (referenced !== undefined && referenced.author.id !== botId) attachments = [...referenced.attachments.values()];
  } else if (attachments.length > 0 && attachments.every(isSound) && message.reference?.messageId !== undefined && !replyToBot) {
    // a voice message (or a sound) replying to someone's picture: hear it with that picture
    const referenced = channel.messages.cache.get(message.reference.messageId);
    const pictures = referenced === undefined || referenced.author.id === botId ? [] : [...referenced.attachments.values()].filter(isImage);
    if (pictures.length > 0) attachments = [pictures[0]!, ...attachments];
  }
  if (text === '' && attachments.length === 0) {
    // a sticker or an empty line in a thread or reply chain is not a question; a bare mention or DM gets a hint
    if (why !== 'mention' && why !== 'dm') return;
    await message.reply(toPayload({ content: EMPTY_MENTION_TEXT })).catch((error: unknown) => {
      ctx.logger.warn({ err: error }, 'discord: help line failed');
    });
    return;
  }

  let conversationKey: string;
  let replyChannel: SendableChannels | undefined;
  let notice: string | undefined;
  const now = Date.now();
  const latest = await ctx.memory.latestEntryOf(message.channelId, message.author.id);
  const followUp =
    inGuild && !channel.isThread() && !replyToBot && attachments.length === 0 && ctx.config.followUpWindowMs > 0 &&
    latest !== undefined && now - latest.at <= ctx.config.followUpWindowMs;
  if (followUp) {
    // a mention without media soon after: the same person's latest conversation in this channel goes on
    conversationKey = latest.key;
    const lastInView = await ctx.memory.lastMediaMessageIn(message.channelId);
    if (latest.mediaMessageId !== undefined && lastInView !== undefined && lastInView !== latest.mediaMessageId) {
      const link = `https://discord.com/channels/${message.guildId}/${message.channelId}/${latest.mediaMessageId}`;
      notice = `I am answering about ${latest.mediaName ?? 'your image'} from your earlier message (${link}), not the latest image in this channel.`;
    }
  } else if (!inGuild) {
    conversationKey = dmConversationKey(message.channelId);
  } else if (channel.isThread()) {
    conversationKey = threadConversationKey(message.guildId, channel.id);
  } else if (replyToBot && message.reference?.messageId !== undefined) {
    // a reply to the bot (a pinging reply mentions it too) continues the chain's conversation
    conversationKey = await replyChainKey(ctx, message, message.reference.messageId);
  } else {
    conversationKey = chainConversationKey(message.guildId, message.channelId, message.id);
    const canThread = channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement;
    if (ctx.config.createThreads && canThread && !message.hasThread) {
      try {
        const thread = await message.startThread({
          name: threadName(text),
          autoArchiveDuration: ARCHIVE[ctx.config.threadArchiveMinutes] ?? ThreadAutoArchiveDuration.OneDay,
        });
        await ctx.memory.rememberThread(thread.id);
        conversationKey = threadConversationKey(message.guildId, thread.id);
        replyChannel = thread;
      } catch (error) {
        ctx.logger.warn({ err: error, channel: message.channelId }, 'discord: could not open a thread; answering in the channel');
      }
    }
  }
  const firstMedia = attachments.find((a) => isImage(a) || (a.contentType ?? '').startsWith('video/'));
  const mediaMessage = firstMedia === undefined ? undefined : { messageId: message.attachments.has(firstMedia.id) ? message.id : (message.reference?.messageId ?? message.id), name: firstMedia.name };
  await ctx.memory.rememberLatest(replyChannel?.id ?? message.channelId, message.author.id, conversationKey, mediaMessage, now);
  if (replyChannel !== undefined) await ctx.memory.rememberLatest(message.channelId, message.author.id, conversationKey, mediaMessage, now);
  await ctx.memory.rememberMessage(message.id, conversationKey);
  ctx.logger.debug({ message: message.id, why, conversation: conversationKey }, 'discord: answering');

  const picked = pickMedia(attachments);
  const incoming: IncomingMessage = {
    platform: 'discord',
    conversationKey,
    messageId: message.id,
    author: { id: message.author.id, name: message.member?.displayName ?? message.author.globalName ?? message.author.username },
    text,
    attachments: picked.chosen.map((chosen) => toIncomingAttachment(chosen, ctx.download)),
    fetchUrl: (url, options) => downloadFromCdn(url, ctx.download, options),
    ...(notice === undefined ? {} : { notice }),
  };
  const sendChannel: SendableChannels | undefined = replyChannel ?? (channel.isSendable() ? channel : undefined);
  if (sendChannel === undefined) return;
  const target: ReplyTarget = {
    send: async (outgoing) =>
      (replyChannel === undefined ? await message.reply(toPayload(outgoing)) : await replyChannel.send(toPayload(outgoing))).id,
    edit: async (messageId, outgoing) => {
      await sendChannel.messages.edit(messageId, toPayload(outgoing));
    },
    followUp: async (outgoing) => (await sendChannel.send(toPayload(outgoing))).id,
  };
  await ctx.runner.run(incoming, discordSurface(ctx, target, conversationKey, () => sendChannel.sendTyping()), {
    notices: picked.notice === undefined ? [] : [picked.notice],
  });
}
