/**
 * Conversation keys: one conversation per direct-message channel, per thread, and per reply chain in a
 * server channel (keyed by the chain's root message, so two questions in one busy channel stay apart).
 */
export function dmConversationKey(channelId: string): string {
  return `discord:dm:${channelId}`;
}

export function threadConversationKey(guildId: string, threadId: string): string {
  return `discord:${guildId}:thread:${threadId}`;
}

export function chainConversationKey(guildId: string, channelId: string, rootMessageId: string): string {
  return `discord:${guildId}:${channelId}:${rootMessageId}`;
}
