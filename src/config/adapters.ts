import { z } from 'zod';
import { defineSection } from './section';

/** How the main job starts its platforms (Discord, Slack): a failed start is retried, not fatal. */
export const AdaptersConfigSchema = z.object({
  startAttempts: z
    .number()
    .int()
    .min(1)
    .default(6)
    .describe('tries to start a platform adapter (Discord, Slack) before it is reported failed; the web chat and the others keep serving meanwhile'),
  retryBaseMs: z.number().int().positive().default(2_000).describe('wait before the second try, ms; doubled for each further try'),
  retryMaxMs: z.number().int().positive().default(60_000).describe('longest wait between two tries, ms'),
});

export type AdaptersConfig = z.output<typeof AdaptersConfigSchema>;

export const adaptersSection = defineSection({ schema: AdaptersConfigSchema });
