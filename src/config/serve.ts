import { z } from 'zod';
import { defineSection } from './section';

/** `lego serve`: this process's engine offered over HTTP to remote engines of other processes. */
export const ServeConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1').describe('address `lego serve` listens on (loopback by default)'),
  port: z.number().int().min(0).max(65_535).default(8090).describe('port of `lego serve` (0 = any free port)'),
});

export type ServeConfig = z.output<typeof ServeConfigSchema>;

export const serveSection = defineSection({ schema: ServeConfigSchema });
