import type { Logger } from '../../src/logger-type';
import { NoteBook } from '../../src/conversation/note-book';
import type { SharedNotes } from '../../src/conversation/shared-notes';

/** A user's latest conversation in a channel, with the message that brought its media (for channel follow-ups). */
export interface LatestConversation {
  key: string;
  /** when the user last spoke in it (ms) */
  at: number;
  /** the message whose image or video the conversation is about, and the file's name */
  mediaMessageId?: string;
  mediaName?: string;
}

/**
 * What the adapter remembers between messages: which conversation each message it answered or sent
 * belongs to (reply chains), which threads the bot opened, each user's latest conversation per channel
 * (channel follow-ups, `/lego reset` and `/lego regions` outside threads) and the channel's latest media
 * message. All of it is in the configured store (see NoteBook), so that another instance sharing the
 * store serves the next message the same way.
 */
export class ConversationMemory {
  private readonly book: NoteBook;

  constructor(capacity: number, options: { notes?: SharedNotes | undefined; logger?: Logger; ttlMs?: number } = {}) {
    this.book = new NoteBook({ platform: 'discord', capacity, ...options });
  }

  private async write(key: string, value: unknown): Promise<void> {
    await this.book.write(key, value);
  }

  private async read<T>(key: string, stable: boolean): Promise<T | undefined> {
    return this.book.read<T>(key, stable);
  }

  async rememberMessage(messageId: string, conversationKey: string): Promise<void> {
    await this.write(`message:${messageId}`, conversationKey);
  }

  async conversationOf(messageId: string): Promise<string | undefined> {
    return this.read<string>(`message:${messageId}`, true);
  }

  async rememberThread(threadId: string): Promise<void> {
    await this.write(`thread:${threadId}`, true);
  }

  async isBotThread(threadId: string): Promise<boolean> {
    return (await this.read<boolean>(`thread:${threadId}`, true)) === true;
  }

  /** The user's latest conversation here; `media` when this message brought the image or video (else the earlier one stays). */
  async rememberLatest(channelId: string, userId: string, conversationKey: string, media?: { messageId: string; name: string }, now = Date.now()): Promise<void> {
    const before = await this.latestEntryOf(channelId, userId);
    const kept = before !== undefined && before.key === conversationKey ? { mediaMessageId: before.mediaMessageId, mediaName: before.mediaName } : {};
    const entry: LatestConversation = { key: conversationKey, at: now };
    if (kept.mediaMessageId !== undefined) entry.mediaMessageId = kept.mediaMessageId;
    if (kept.mediaName !== undefined) entry.mediaName = kept.mediaName;
    if (media !== undefined) {
      entry.mediaMessageId = media.messageId;
      entry.mediaName = media.name;
    }
    await this.write(`latest:${channelId}:${userId}`, entry);
  }

  async latestOf(channelId: string, userId: string): Promise<string | undefined> {
    return (await this.latestEntryOf(channelId, userId))?.key;
  }

  async latestEntryOf(channelId: string, userId: string): Promise<LatestConversation | undefined> {
    return this.read<LatestConversation>(`latest:${channelId}:${userId}`, false);
  }

  /** The latest message with an image or a video in a channel, whoever sent it ("the last one in view"). */
  async rememberMediaMessage(channelId: string, messageId: string): Promise<void> {
    await this.write(`media:${channelId}`, messageId);
  }

  async lastMediaMessageIn(channelId: string): Promise<string | undefined> {
    return this.read<string>(`media:${channelId}`, false);
  }
}
