import { z } from 'zod';
import { LegoError } from '../../src/errors';
import { defineSection } from '../../src/config/section';

const ids = (what: string) => z.array(z.string().regex(/^\d{1,20}$/, 'a Discord id (digits)')).default([]).describe(what);

const AccessListSchema = (verb: 'allow' | 'deny') =>
  z
    .object({
      guilds: ids(`server (guild) ids to ${verb}${verb === 'allow' ? '; empty = all' : ''}`),
      channels: ids(
        `channel ids to ${verb} (a thread counts as its parent channel too)${verb === 'allow' ? '; empty = all' : ''}`,
      ),
      users: ids(`user ids to ${verb}${verb === 'allow' ? '; empty = everyone' : ''}`),
      roles: ids(`role ids to ${verb} (a member with any of them)${verb === 'allow' ? '; empty = any role' : ''}`),
    })
    .prefault({});

/**
 * The Discord bot (adapters/discord). Every setting has a `LEGO_DISCORD_<KEY>` env name; the token also
 * answers to DISCORD_TOKEN. The token is optional here so that a bot without Discord still starts;
 * `requireDiscordToken` names it when the Discord adapter is asked for. Deny lists win over allow lists.
 */
export const DiscordConfigSchema = z.object({
  token: z.string().min(1).optional().describe('bot token (Developer Portal → Bot → Reset Token); env DISCORD_TOKEN or LEGO_DISCORD_TOKEN'),
  applicationId: z
    .string()
    .regex(/^\d{1,20}$/)
    .optional()
    .describe('application id for registering slash commands; unset = asked from the API with the token'),
  api: z
    .string()
    .url()
    .default('https://discord.com/api')
    .describe('REST API base URL (without /v10); the gateway URL comes from its GET /gateway/bot. Change it for a proxy or a local fake'),
  cdnHosts: z
    .array(z.string().min(1))
    .default(['cdn.discordapp.com', 'media.discordapp.net'])
    .describe('hosts attachments may be downloaded from (host or host:port); anything else is refused'),
  allowInsecureCdn: z.boolean().default(false).describe('also accept http:// attachment URLs (only for a local fake Discord in tests)'),
  dm: z.boolean().default(true).describe('answer direct messages'),
  continueInThreads: z.boolean().default(true).describe('answer without a mention in threads the bot started'),
  continueInReplies: z.boolean().default(true).describe("answer without a mention when someone replies to one of the bot's messages"),
  followUpWindowMs: z
    .number()
    .int()
    .nonnegative()
    .default(10 * 60_000)
    .describe("a mention without media in a channel continues the same user's latest conversation there when it is this recent, ms (0 = off: every mention is new)"),
  createThreads: z
    .boolean()
    .default(false)
    .describe('open a thread on the question for each new conversation in a server channel (needs Create Public Threads)'),
  threadArchiveMinutes: z
    .number()
    .int()
    .refine((minutes) => [60, 1440, 4320, 10080].includes(minutes), 'one of 60, 1440, 4320, 10080')
    .default(1440)
    .describe('auto-archive time of threads the bot opens: 60, 1440, 4320 or 10080 minutes'),
  allow: AccessListSchema('allow'),
  deny: AccessListSchema('deny'),
  editIntervalMs: z.number().int().min(500).default(1500).describe('least time between two edits of a growing answer'),
  streamAfterMs: z
    .number()
    .int()
    .min(0)
    .default(1500)
    .describe('an answer still growing after this long is shown early and edited as it grows; quicker answers are sent once'),
  typingIntervalMs: z.number().int().min(1000).max(9000).default(8000).describe('how often the typing indicator is renewed (it lasts ~10 s)'),
  shutdownGraceMs: z
    .number()
    .int()
    .min(0)
    .default(10_000)
    .describe('on shutdown, how long answers in progress may take to finish before they are cut off (and the user told)'),
  conversationMemory: z
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe('how many bot messages and threads this process caches to find reply chains and bot threads (the conversation store keeps them all, for a week)'),
  commandGuildId: z
    .string()
    .regex(/^\d{1,20}$/)
    .optional()
    .describe('discord:register registers the slash commands in this server only (instant); unset = globally'),
});

export type DiscordConfig = z.output<typeof DiscordConfigSchema>;

export const discordSection = defineSection({
  schema: DiscordConfigSchema,
  aliases: {
    DISCORD_TOKEN: { path: ['token'], type: 'string' },
  },
});

/** The bot token, checked; the error names the setting, never a value. */
export function requireDiscordToken(config: DiscordConfig): string {
  if (config.token === undefined || config.token.trim() === '') {
    throw new LegoError('config-invalid', 'Discord needs: discord.token (env DISCORD_TOKEN or LEGO_DISCORD_TOKEN)');
  }
  return config.token.trim();
}
