import { z } from 'zod';
import { defineSection } from '../../src/config/section';

const MiB = 1024 * 1024;

/** `lego serve`: this process's engine offered over HTTP to remote engines of other processes. */
export const ServeConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1').describe('address `lego serve` listens on (loopback by default)'),
  port: z.number().int().min(0).max(65_535).default(8090).describe('port of `lego serve` (0 = any free port)'),
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(64 * MiB)
    .describe('largest request body in bytes, media as base64 data: URLs included (413 beyond it, refused from Content-Length before reading)'),
  maxReceivingBytes: z
    .number()
    .int()
    .positive()
    .default(32 * MiB)
    .describe('request bodies being received at once may hold this many bytes (by Content-Length, or maxBodyBytes when none is declared); more wait their turn unread, one larger body is received alone'),
  maxMessageChars: z
    .number()
    .int()
    .positive()
    .default(100_000)
    .describe('longest text of one message in characters, checked before anything is tokenised (413 beyond it)'),
  maxTotalChars: z
    .number()
    .int()
    .positive()
    .default(400_000)
    .describe('longest text of all messages of one request together in characters, checked before anything is tokenised (413 beyond it)'),
  maxNewTokens: z.number().int().positive().default(4096).describe('most tokens one request may ask for (max_tokens / max_completion_tokens; 400 beyond it)'),
  allowedHosts: z
    .array(z.string().min(1))
    .default([])
    .describe(
      'Host header names accepted besides loopback names and the listening address (a guard against DNS rebinding); "*" accepts any Host',
    ),
  allowedOrigins: z
    .array(z.string().min(1))
    .default([])
    .describe('browser Origins (scheme://host:port) allowed to call the API; requests with any other Origin get 403, requests without one (non-browser clients) pass'),
  headersTimeoutMs: z.number().int().positive().default(10_000).describe('time a client has to send the request headers, ms'),
  receiveTimeoutMs: z.number().int().positive().default(120_000).describe('time a client has to send the whole request, headers and body, ms (the answer is not limited by it)'),
  bodyIdleTimeoutMs: z.number().int().positive().default(10_000).describe('longest pause between two pieces of a request body, ms (408 after it)'),
});

export type ServeConfig = z.output<typeof ServeConfigSchema>;

export const serveSection = defineSection({ schema: ServeConfigSchema });
