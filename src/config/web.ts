import { z } from 'zod';
import { defineSection } from './section';

/** The local web chat. */
export const WebConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1').describe('address the web chat listens on (loopback by default)'),
  port: z.number().int().min(0).max(65_535).default(8080).describe('port of the web chat (0 = any free port)'),
  headersTimeoutMs: z.number().int().positive().default(10_000).describe('time a browser has to send the request headers, ms'),
  receiveTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(300_000)
    .describe('time a browser has to send a whole request, an upload included, ms (answers are not limited by it)'),
  bodyIdleTimeoutMs: z.number().int().positive().default(15_000).describe('longest pause between two pieces of a request body or upload, ms (408 after it)'),
});

export type WebConfig = z.output<typeof WebConfigSchema>;

export const webSection = defineSection({ schema: WebConfigSchema });
