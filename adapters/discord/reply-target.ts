import type { ReplyFile } from '../../src/bot/types';

/** One Discord message the adapter sends: text and, on the first one, the files. */
export interface OutgoingMessage {
  content: string;
  files?: readonly ReplyFile[];
}

/**
 * Where one answer goes: a reply to a message (or a message in the thread opened for it), or the
 * response of a slash command. Every send carries `allowedMentions: { parse: [], repliedUser: false }`.
 */
export interface ReplyTarget {
  /** the first message of the answer; resolves to its id */
  send(message: OutgoingMessage): Promise<string>;
  edit(messageId: string, message: OutgoingMessage): Promise<void>;
  /** the next message of a long answer */
  followUp(message: OutgoingMessage): Promise<string>;
}
