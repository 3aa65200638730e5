import { BoundedLru } from '../../src/bounded-lru';

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
 * What the adapter remembers between messages (bounded, per adapter instance): which conversation each
 * message it answered or sent belongs to (reply chains), which threads the bot opened, and each user's latest
 * conversation per channel (for `/lego reset` and `/lego regions` outside threads).
 */
export class ConversationMemory {
  private readonly messages: BoundedLru<string, string>;
  private readonly threads: BoundedLru<string, true>;
  private readonly latest: BoundedLru<string, LatestConversation>;
  private readonly lastMedia: BoundedLru<string, string>;

  constructor(capacity: number) {
    this.messages = new BoundedLru({ maxEntries: capacity });
    this.threads = new BoundedLru({ maxEntries: capacity });
    this.latest = new BoundedLru({ maxEntries: capacity });
    this.lastMedia = new BoundedLru({ maxEntries: capacity });
  }

  rememberMessage(messageId: string, conversationKey: string): void {
    this.messages.set(messageId, conversationKey);
  }

  conversationOf(messageId: string): string | undefined {
    return this.messages.get(messageId);
  }

  rememberThread(threadId: string): void {
    this.threads.set(threadId, true);
  }

  isBotThread(threadId: string): boolean {
    return this.threads.has(threadId);
  }

  /** The user's latest conversation here; `media` when this message brought the image or video (else the earlier one stays). */
  rememberLatest(channelId: string, userId: string, conversationKey: string, media?: { messageId: string; name: string }, now = Date.now()): void {
    const id = `${channelId}:${userId}`;
    const before = this.latest.get(id);
    const kept = before !== undefined && before.key === conversationKey ? { mediaMessageId: before.mediaMessageId, mediaName: before.mediaName } : {};
    const entry: LatestConversation = { key: conversationKey, at: now, ...kept };
    if (media !== undefined) {
      entry.mediaMessageId = media.messageId;
      entry.mediaName = media.name;
    }
    this.latest.set(id, entry);
  }

  latestOf(channelId: string, userId: string): string | undefined {
    return this.latest.get(`${channelId}:${userId}`)?.key;
  }

  latestEntryOf(channelId: string, userId: string): LatestConversation | undefined {
    return this.latest.get(`${channelId}:${userId}`);
  }

  /** The latest message with an image or a video in a channel, whoever sent it ("the last one in view"). */
  rememberMediaMessage(channelId: string, messageId: string): void {
    this.lastMedia.set(channelId, messageId);
  }

  lastMediaMessageIn(channelId: string): string | undefined {
    return this.lastMedia.get(channelId);
  }
}
