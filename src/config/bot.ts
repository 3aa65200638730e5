import { z } from 'zod';
import { defineSection } from './section';

/** The pipeline between adapters and the engine (src/bot). */
export const BotConfigSchema = z.object({
  preparedCacheEntries: z
    .number()
    .int()
    .nonnegative()
    .default(8)
    .describe('prepared media tensors kept in memory by content hash, for follow-up questions (0 = none)'),
  preparedCacheBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024)
    .describe('bytes the prepared media kept for follow-ups may hold (tensors, original images, sampled frames)'),
  fetchTimeoutMs: z.number().int().positive().default(30_000).describe('time limit for downloading one attachment, ms'),
  textOnly: z
    .boolean()
    .default(false)
    .describe('answer questions without any media (only for engines that can; LEGO needs an image or video)'),
});

export type BotConfig = z.output<typeof BotConfigSchema>;

export const botSection = defineSection({ schema: BotConfigSchema });
