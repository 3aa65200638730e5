import type { Client } from 'discord.js';
import type { BotHandler } from '../../src/bot/types';
import type { DiscordConfig } from '../../src/config/discord';
import type { Logger } from '../../src/engine/types';
import type { DownloadPolicy } from './attachment-download';
import type { ConversationMemory } from './conversation-memory';
import type { InFlightWork } from './in-flight-work';

/** What the message and slash-command handlers share, owned by one DiscordAdapter. */
export interface AdapterContext {
  client: Client;
  config: DiscordConfig;
  bot: BotHandler;
  logger: Logger;
  memory: ConversationMemory;
  inFlight: InFlightWork;
  download: DownloadPolicy;
  isStopping(): boolean;
}
