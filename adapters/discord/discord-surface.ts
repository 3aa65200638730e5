import type { ReplySurface } from '../../src/bot/reply-surface';
import type { AdapterContext } from './adapter-context';
import type { ReplyTarget } from './reply-target';
import { DISCORD_MESSAGE_LIMIT } from './user-texts';

/**
 * One answer's reply surface on Discord: the first message goes to the target's `send` (a reply, the
 * thread opened for it, or the slash command's deferred response), the next ones are follow-ups; every
 * message sent is remembered for reply chains. Notices are in italics.
 */
export function discordSurface(ctx: AdapterContext, target: ReplyTarget, conversationKey: string, sendTyping?: () => Promise<unknown>): ReplySurface {
  let first = true;
  return {
    limits: {
      maxMessageChars: DISCORD_MESSAGE_LIMIT,
      editIntervalMs: ctx.config.editIntervalMs,
      streamAfterMs: ctx.config.streamAfterMs,
      typingIntervalMs: ctx.config.typingIntervalMs,
      maxUploadBytes: 0,
      growingMark: ' …',
    },
    async send(message) {
      const outgoing = { content: message.text, files: message.files };
      const id = first ? await target.send(outgoing) : await target.followUp(outgoing);
      first = false;
      await ctx.memory.rememberMessage(id, conversationKey);
      return id;
    },
    edit: (messageId, message) => target.edit(messageId, { content: message.text, files: message.files }),
    ...(sendTyping === undefined ? {} : { typing: sendTyping }),
    formatNotice: (line) => `*${line}*`,
  };
}
