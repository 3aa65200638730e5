import { Bot } from './bot';
import type { CreateBotOptions } from './bot';

/**
 * The pipeline for every adapter: `createBot({ config, engine, runtime?, logger })`. Synchronous; the
 * conversation store opens on the first message when no runtime is given. Call `close()` at shutdown.
 */
export function createBot(options: CreateBotOptions): Bot {
  return new Bot(options);
}
