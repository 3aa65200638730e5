import { z } from 'zod';
import { LegoError } from '../errors';

/**
 * Every setting of the conversation layer, typed, documented and defaulted in one place. The config
 * loader hands the raw `conversation` section to `parseConversationOptions`, which validates it once
 * at start-up and names the offending setting when it is wrong.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const storeCommon = {
  namespace: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
    .default('lego')
    .describe('prefix of every key this layer writes (conversations, leases, blobs)'),
  timeoutMs: z
    .number()
    .int()
    .positive()
    .default(2_000)
    .describe('upper bound of one store call; past it the call fails with store-unavailable'),
};

export const StoreOptionsSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('memory'), ...storeCommon }).describe('in this process only; lost on restart'),
    z
      .object({
        kind: z.literal('sqlite'),
        path: z.string().min(1).describe('file of the SQLite database (created if missing)'),
        busyTimeoutMs: z.number().int().nonnegative().default(5_000).describe('SQLite busy timeout'),
        ...storeCommon,
      })
      .describe('one file; survives restarts; several processes on one host may share it'),
    z
      .object({
        kind: z.literal('redis'),
        url: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').describe('Redis URL'),
        connectTimeoutMs: z.number().int().positive().default(2_000).describe('socket connect timeout'),
        ...storeCommon,
      })
      .describe('shared by several bot processes; survives restarts'),
  ])
  .default({ kind: 'memory', namespace: 'lego', timeoutMs: 2_000 });

export const QueueStrategySchema = z
  .enum(['queue', 'drop', 'latest-only'])
  .describe(
    'what happens to a message that arrives while the bot is still answering in the same conversation: ' +
      'queue = answer it afterwards; drop = ignore it; latest-only = answer only the newest waiting one',
  );

export const ConversationOptionsSchema = z.object({
  store: StoreOptionsSchema,
  idleTtlMs: z
    .number()
    .int()
    .positive()
    .default(24 * HOUR)
    .describe('a conversation nobody touched for this long is forgotten'),
  maxTurns: z
    .number()
    .int()
    .min(2)
    .default(200)
    .describe('turns kept per conversation; the oldest exchanges are dropped first'),
  maxRegions: z
    .number()
    .int()
    .min(1)
    .default(200)
    .describe('numbered regions remembered per conversation; the lowest numbers are forgotten first'),
  tokenBudget: z
    .number()
    .int()
    .positive()
    .default(1_024)
    .describe('approximate tokens of conversation text sent with a question (media tokens not counted)'),
  charsPerToken: z
    .number()
    .positive()
    .default(4)
    .describe('characters per token used to estimate token counts'),
  leaseMs: z
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe(
      'a conversation lease expires this long after its last renewal; its holder renews it every third of this while the turn runs, and a restarted process drops the leases of its host\'s dead processes at once',
    ),
  leaseWaitMs: z
    .number()
    .int()
    .nonnegative()
    .default(60_000)
    .describe('how long to wait for a conversation another process is answering before answering busy'),
  leaseRetryMs: z
    .number()
    .int()
    .positive()
    .default(50)
    .describe('pause between attempts to take a held lease'),
  queueStrategy: QueueStrategySchema.default('queue'),
  maxPendingPerConversation: z
    .number()
    .int()
    .min(1)
    .default(8)
    .describe('messages waiting in one conversation (strategy queue); more are refused with busy'),
  maxConcurrentGenerations: z
    .number()
    .int()
    .min(1)
    .default(2)
    .describe('generations running at once in this process'),
  maxWaitingGenerations: z
    .number()
    .int()
    .nonnegative()
    .default(32)
    .describe('generations waiting for a slot; more are refused with busy (back-pressure)'),
  maxHeldRecords: z
    .number()
    .int()
    .nonnegative()
    .default(1_000)
    .describe('records kept in memory after a failed save, written back when the store returns'),
  blobTtlMs: z
    .number()
    .int()
    .positive()
    .default(2 * HOUR)
    .describe('uploaded media bytes kept in the blob store for follow-ups this long'),
  maxBlobBytes: z
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024)
    .describe('largest blob the blob store accepts'),
  memoryBlobBytes: z
    .number()
    .int()
    .positive()
    .default(128 * 1024 * 1024)
    .describe('memory store: bytes all kept uploads may hold, least recently used dropped first'),
  zoomMargin: z
    .number()
    .min(0)
    .max(4)
    .default(0.25)
    .describe('zoom crops add this fraction of the box width/height on each side (and a zoom into a span this fraction of its length before and after)'),
  zoomMinSize: z
    .number()
    .int()
    .min(1)
    .default(64)
    .describe('smallest side of a zoom crop, in pixels of the original image'),
  zoomQuestion: z
    .string()
    .min(1)
    .default('What is in this image?')
    .describe('question asked on the crop when "zoom into N" says nothing more'),
});

/** Options as written in a config file: everything optional. */
export type ConversationOptionsInput = z.input<typeof ConversationOptionsSchema>;
/** Options after validation: everything present. */
export type ConversationOptions = z.output<typeof ConversationOptionsSchema>;
export type StoreOptions = z.output<typeof StoreOptionsSchema>;
export type QueueStrategy = z.output<typeof QueueStrategySchema>;

/** Validate and default; a wrong setting fails with config-invalid naming it (`conversation.store.url: …`). */
export function parseConversationOptions(input: unknown = {}): ConversationOptions {
  const result = ConversationOptionsSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = ['conversation', ...issue.path.map(String)].join('.');
    return `${path}: ${issue.message}`;
  });
  throw new LegoError('config-invalid', `invalid conversation options: ${problems.join('; ')}`, {
    details: { problems },
  });
}
