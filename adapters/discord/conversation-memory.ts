import { BoundedLru } from '../../src/bounded-lru';

/**
 * What the adapter remembers between messages (bounded, per adapter instance): which conversation each
 * message it answered or sent belongs to (reply chains), which threads the bot opened, and each user's latest
 * conversation per channel (for `/lego reset` and `/lego regions` outside threads).
 */
export class ConversationMemory {
  private readonly messages: BoundedLru<string, string>;
  private readonly threads: BoundedLru<string, true>;
  private readonly latest: BoundedLru<string, string>;

  constructor(capacity: number) {
    this.messages = new BoundedLru({ maxEntries: capacity });
    this.threads = new BoundedLru({ maxEntries: capacity });
    this.latest = new BoundedLru({ maxEntries: capacity });
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

  rememberLatest(channelId: string, userId: string, conversationKey: string): void {
    this.latest.set(`${channelId}:${userId}`, conversationKey);
  }

  latestOf(channelId: string, userId: string): string | undefined {
    return this.latest.get(`${channelId}:${userId}`);
  }
}
