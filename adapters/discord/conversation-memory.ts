import { BoundedLru } from '../../src/bounded-lru';
import type { Logger } from '../../src/logger-type';
import { MemoryNotes } from '../../src/conversation/shared-notes';
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

/** how long a note lives in the store after it was written (a reply chain a week old still continues) */
export const DISCORD_NOTE_TTL_MS = 7 * 24 * 60 * 60_000;

/**
 * What the adapter remembers between messages: which conversation each message it answered or sent
 * belongs to (reply chains), which threads the bot opened, each user's latest conversation per channel
 * (channel follow-ups, `/lego reset` and `/lego regions` outside threads) and the channel's latest media
 * message. All of it is in the configured store (`notes`), so that another instance sharing the store
 * serves the next message the same way. The in-process LRU only caches facts that never change once
 * written (a message's conversation, a bot thread); what changes (the latest conversation, the latest
 * media) is read from the store each time, and the LRU answers only while the store cannot.
 */
export class ConversationMemory {
  private readonly notes: SharedNotes;
  private readonly cache: BoundedLru<string, unknown>;
  private readonly logger: Logger | undefined;
  private readonly ttlMs: number;

  constructor(capacity: number, options: { notes?: SharedNotes; logger?: Logger; ttlMs?: number } = {}) {
    this.notes = options.notes ?? new MemoryNotes({ maxEntries: capacity * 4 });
    this.cache = new BoundedLru({ maxEntries: capacity });
    this.logger = options.logger;
    this.ttlMs = options.ttlMs ?? DISCORD_NOTE_TTL_MS;
  }

  private async write(key: string, value: unknown): Promise<void> {
    this.cache.set(key, value);
    try {
      await this.notes.set(`discord:${key}`, value, this.ttlMs);
    } catch (error) {
      this.logger?.warn({ err: error, note: key.split(':')[0] }, 'discord: could not write a note to the store; other instances will not know it');
    }
  }

  /** `stable`: the value never changes once written, so a cached one is answered without the store. */
  private async read<T>(key: string, stable: boolean): Promise<T | undefined> {
    if (stable) {
      const cached = this.cache.get(key);
      if (cached !== undefined) return cached as T;
    }
    try {
      const stored = await this.notes.get<T>(`discord:${key}`);
      if (stored !== undefined) this.cache.set(key, stored);
      return stored;
    } catch (error) {
      this.logger?.warn({ err: error, note: key.split(':')[0] }, 'discord: could not read a note from the store; using this instance\'s copy');
      return this.cache.get(key) as T | undefined;
    }
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
