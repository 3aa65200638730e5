import { MessageFlags } from 'discord.js';
import type { ChatInputCommandInteraction, Interaction } from 'discord.js';
import type { IncomingMessage } from '../../src/bot/types';
import { checkAccess } from './access-policy';
import type { AdapterContext } from './adapter-context';
import { downloadFromCdn, toIncomingAttachment } from './attachment-download';
import { chainConversationKey, dmConversationKey, threadConversationKey } from './conversation-key';
import { toPayload } from './message-payload';
import type { ReplyTarget } from './reply-target';
import { discordSurface } from './discord-surface';
import { LEGO_COMMAND } from './slash-commands';
import type { LegoSubcommand } from './slash-commands';
import { NOT_ENABLED_TEXT, RESTARTING_TEXT } from './user-texts';

const SUBCOMMANDS: readonly LegoSubcommand[] = ['ask', 'reset', 'regions', 'export', 'help'];

async function refuse(ctx: AdapterContext, interaction: ChatInputCommandInteraction, content: string): Promise<void> {
  await interaction
    .reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } })
    .catch((error: unknown) => ctx.logger.warn({ err: error }, 'discord: could not answer a slash command'));
}

async function conversationKeyOf(ctx: AdapterContext, interaction: ChatInputCommandInteraction, sub: LegoSubcommand, replyId: string): Promise<string> {
  const channel = interaction.channel;
  if (!interaction.inGuild()) return dmConversationKey(interaction.channelId);
  if (channel?.isThread() === true) return threadConversationKey(interaction.guildId, channel.id);
  if (sub !== 'ask') {
    const latest = await ctx.memory.latestOf(interaction.channelId, interaction.user.id);
    if (latest !== undefined) return latest;
  }
  // a new question in a channel: its own conversation, continued by replying to the bot's answer
  return chainConversationKey(interaction.guildId, interaction.channelId, replyId);
}

/** `/lego …`: deferred at once (Discord allows 3 s), then answered by editing the deferred reply. */
export async function handleInteraction(ctx: AdapterContext, interaction: Interaction): Promise<void> {
  if (!interaction.isChatInputCommand() || interaction.commandName !== LEGO_COMMAND) return;
  if (ctx.isStopping()) {
    await refuse(ctx, interaction, RESTARTING_TEXT);
    return;
  }
  const channel = interaction.channel;
  const member = interaction.member;
  const roleIds = member === null ? [] : Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  const access = checkAccess(
    { allow: ctx.config.allow, deny: ctx.config.deny, dm: ctx.config.dm },
    {
      guildId: interaction.guildId,
      channelIds: [interaction.channelId, ...(channel?.isThread() === true && channel.parentId !== null ? [channel.parentId] : [])],
      userId: interaction.user.id,
      roleIds,
    },
  );
  if (!access.allowed) {
    ctx.logger.debug({ channel: interaction.channelId, reason: access.reason }, 'discord: slash command not allowed here');
    await refuse(ctx, interaction, NOT_ENABLED_TEXT);
    return;
  }
  const name = interaction.options.getSubcommand(false) ?? 'help';
  const sub: LegoSubcommand = (SUBCOMMANDS as readonly string[]).includes(name) ? (name as LegoSubcommand) : 'help';
  const text = sub === 'ask' ? interaction.options.getString('question', true).trim() : sub;
  const file = sub === 'ask' ? interaction.options.getAttachment('file') : null;

  let replyId = interaction.id;
  try {
    const response = await interaction.deferReply({ withResponse: true, ...(sub === 'help' ? { flags: MessageFlags.Ephemeral } : {}) });
    replyId = response.resource?.message?.id ?? replyId;
  } catch (error) {
    ctx.logger.warn({ err: error }, 'discord: could not defer a slash command');
    return;
  }
  const conversationKey = await conversationKeyOf(ctx, interaction, sub, replyId);
  await ctx.memory.rememberLatest(interaction.channelId, interaction.user.id, conversationKey);
  await ctx.memory.rememberMessage(replyId, conversationKey);

  const incoming: IncomingMessage = {
    platform: 'discord',
    conversationKey,
    messageId: interaction.id,
    author: { id: interaction.user.id, name: interaction.user.globalName ?? interaction.user.username },
    text,
    attachments: file === null ? [] : [toIncomingAttachment(file, ctx.download)],
    fetchUrl: (url, options) => downloadFromCdn(url, ctx.download, options),
  };
  let first = true;
  const target: ReplyTarget = {
    send: async (outgoing) => {
      first = false;
      return (await interaction.editReply(toPayload(outgoing))).id;
    },
    edit: async (_messageId, outgoing) => {
      await interaction.editReply(toPayload(outgoing));
    },
    followUp: async (outgoing) => {
      if (first) {
        first = false;
        return (await interaction.editReply(toPayload(outgoing))).id;
      }
      return (await interaction.followUp(toPayload(outgoing))).id;
    },
  };
  // no typing indicator: Discord shows the deferred response as "thinking…"
  await ctx.runner.run(incoming, discordSurface(ctx, target, conversationKey));
}
