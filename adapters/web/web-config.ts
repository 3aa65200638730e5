import { z } from 'zod';
import { defineSection } from '../../src/config/section';

const MiB = 1024 * 1024;
const bytes = z.number().int().positive();

/** The local web chat: every setting of the adapter, defaulted here only (adapters/web/web-options.ts reads them). */
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
  maxStoredUploadBytes: bytes
    .default(288 * MiB)
    .describe('all uploads kept in memory at once, bytes (at least one largest video); the least recently used are dropped first'),
  maxReceivingBytes: bytes
    .default(16 * MiB)
    .describe('uploads being received at once may hold this many bytes (by their Content-Length); more wait their turn unread, one larger upload is received alone'),
  uploadTtlMs: z.number().int().nonnegative().default(60 * 60 * 1000).describe('how long an upload stays usable for follow-ups, ms (0 = until dropped for room)'),
  maxStoredFileBytes: bytes
    .default(32 * MiB)
    .describe('answer pictures (annotated JPEG/PNG, timeline) kept for the browser to fetch, bytes; least recently used dropped first'),
  maxJsonBytes: bytes.default(64 * 1024).describe('largest JSON request body (a chat message), bytes'),
  maxTextChars: z.number().int().positive().default(4000).describe('longest question, characters'),
  shutdownGraceMs: z.number().int().nonnegative().default(5000).describe('on stop, how long answers in flight may finish before they are cut off, ms'),
  partialIntervalMs: z.number().int().nonnegative().default(50).describe('least time between two updates of a growing answer, ms (0 = every update)'),
  heartbeatMs: z.number().int().nonnegative().default(15_000).describe('keep-alive comment interval of the answer stream, ms (0 = none)'),
});

export type WebConfig = z.output<typeof WebConfigSchema>;

export const webSection = defineSection({ schema: WebConfigSchema });
