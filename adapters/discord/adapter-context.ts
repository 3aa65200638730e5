import type { Client } from 'discord.js';
import type { TurnRunner } from '../../src/bot/turn-runner';
import type { DiscordConfig } from './discord-config';
import type { Logger } from '../../src/logger-type';
import type { DownloadPolicy } from './attachment-download';
import type { ConversationMemory } from './conversation-memory';

/** What the message and slash-command handlers share, owned by one DiscordAdapter. */
export interface AdapterContext {
  client: Client;
  config: DiscordConfig;
  logger: Logger;
  memory: ConversationMemory;
  /** the one turn loop (src/bot/turn-runner.ts): typing, streaming edits, error replies, shutdown drain */
  runner: TurnRunner;
  download: DownloadPolicy;
  isStopping(): boolean;
}
