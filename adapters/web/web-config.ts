import { z } from 'zod';
import { defineSection } from '../../src/config/section';

/** The local web chat. */
export const WebConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1').describe('address the web chat listens on (loopback by default)'),
  port: z.number().int().min(0).max(65_535).default(8080).describe('port of the web chat (0 = any free port)'),
});

export type WebConfig = z.output<typeof WebConfigSchema>;

export const webSection = defineSection({ schema: WebConfigSchema });
