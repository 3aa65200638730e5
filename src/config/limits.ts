import { z } from 'zod';
import { defineSection } from './section';

const GiB = 1024 * 1024 * 1024;

/**
 * Per-user limits, counted in the configured conversation store (so they hold across instances on one
 * Redis or SQLite file). A user is a platform's user id (the web chat: one browser conversation). 0 = no limit.
 */
export const LimitsConfigSchema = z.object({
  turnsPerMinute: z
    .number()
    .int()
    .nonnegative()
    .default(30)
    .describe('questions one user may ask per minute (commands such as help and reset do not count); 0 = no limit'),
  mediaBytesPerDay: z
    .number()
    .int()
    .nonnegative()
    .default(2 * GiB)
    .describe('bytes of images and videos one user may send per day (UTC); 0 = no limit'),
});

export type LimitsConfig = z.output<typeof LimitsConfigSchema>;

/** The defaults, from the schema (for callers that build a bot without the limits section). */
export const DEFAULT_LIMITS: LimitsConfig = LimitsConfigSchema.parse({});

export const limitsSection = defineSection({ schema: LimitsConfigSchema });
