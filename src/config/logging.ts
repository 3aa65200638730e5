import { z } from 'zod';
import { defineSection } from './section';

export const LoggingConfigSchema = z.object({
  level: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('lowest level written'),
  pretty: z.boolean().default(false).describe('one readable line per entry instead of JSON (for a terminal)'),
});

export type LoggingConfig = z.output<typeof LoggingConfigSchema>;

export const loggingSection = defineSection({ schema: LoggingConfigSchema });
