import type { MessageMentionOptions } from 'discord.js';
import type { OutgoingMessage } from './reply-target';

/** The bot never pings anyone: no @everyone/@here, roles, users, nor the author of the message it answers. */
export const NO_MENTIONS = Object.freeze({ parse: [], repliedUser: false }) satisfies MessageMentionOptions;

export interface DiscordMessagePayload {
  content?: string;
  files?: { attachment: Buffer; name: string; description?: string }[];
  allowedMentions: MessageMentionOptions;
}

/** An outgoing message as discord.js send/edit options. */
export function toPayload(message: OutgoingMessage): DiscordMessagePayload {
  const payload: DiscordMessagePayload = { allowedMentions: { parse: [], repliedUser: false } };
  payload.content = message.content;
  if (message.files !== undefined && message.files.length > 0) {
    payload.files = message.files.map((file) => ({
      attachment: file.data,
      name: file.name,
      ...(file.description === undefined ? {} : { description: file.description.slice(0, 1024) }),
    }));
  }
  return payload;
}
