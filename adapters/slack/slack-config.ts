import { z } from 'zod';
import { LegoError } from '../../src/errors';
import { defineSection } from '../../src/config/section';

/**
 * The Slack app (adapters/slack). Every setting has a `LEGO_SLACK_<KEY>` env name; the three secrets
 * also answer to Slack's own names: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN. The
 * secrets are optional here so that a bot without Slack still starts; `requireSlackCredentials`
 * names the one that is missing when the Slack adapter is asked for.
 */
export const SlackConfigSchema = z.object({
  botToken: z.string().min(1).optional().describe('bot token (xoxb-…); env SLACK_BOT_TOKEN or LEGO_SLACK_BOT_TOKEN'),
  signingSecret: z
    .string()
    .min(1)
    .optional()
    .describe('signing secret that verifies HTTP event deliveries (http mode); env SLACK_SIGNING_SECRET'),
  appToken: z.string().min(1).optional().describe('app-level token (xapp-…, connections:write) for socket mode; env SLACK_APP_TOKEN'),
  mode: z
    .enum(['socket', 'http'])
    .default('socket')
    .describe('socket: Socket Mode over a websocket (no public URL); http: Events API deliveries to `port`'),
  host: z.string().min(1).default('0.0.0.0').describe('address the HTTP receiver listens on (http mode)'),
  port: z.number().int().min(0).max(65_535).default(3000).describe('port of the HTTP receiver (http mode; 0 = any free port)'),
  eventsPath: z.string().startsWith('/').default('/slack/events').describe('path of events, slash commands and interactivity (http mode)'),
  apiUrl: z
    .string()
    .url()
    .default('https://slack.com/api/')
    .describe('Web API base URL (ends with /api/); change it for a proxy or a local fake'),
  fileHosts: z
    .array(z.string().min(1))
    .default(['files.slack.com'])
    .describe('hosts `url_private` downloads may come from (host or host:port); anything else is refused'),
  allowInsecureFileHosts: z
    .boolean()
    .default(false)
    .describe('also accept http:// file URLs (only for a local fake Slack in tests)'),
  allowedTeams: z.array(z.string().min(1)).default([]).describe('workspace (team) ids the bot answers in; empty = all'),
  allowedChannels: z.array(z.string().min(1)).default([]).describe('channel ids the bot answers in (DMs are always allowed); empty = all'),
  allowedUsers: z.array(z.string().min(1)).default([]).describe('user ids the bot answers; empty = everyone'),
  streaming: z
    .enum(['auto', 'stream', 'update', 'off'])
    .default('auto')
    .describe('how a growing answer is shown: chat.startStream (stream), a throttled chat.update (update), auto = stream, else update'),
  updateIntervalMs: z.number().int().min(250).default(1200).describe('least time between two edits of a growing answer'),
  assistant: z.boolean().default(false).describe("answer in Slack's AI assistant threads (needs the assistant:write scope and the feature on)"),
  threadMemory: z.number().int().min(1).default(5000).describe('how many answered threads this process caches (follow-ups there need no mention; the conversation store keeps them all, for a week)'),
  followUpWindowMs: z
    .number()
    .int()
    .nonnegative()
    .default(10 * 60_000)
    .describe("a mention without files at the top of a channel continues the same user's latest conversation there (in its thread) when it is this recent, ms (0 = off)"),
  slashCommand: z.string().startsWith('/').default('/lego').describe('the slash command the app registers'),
});

export type SlackConfig = z.output<typeof SlackConfigSchema>;

export const slackSection = defineSection({
  schema: SlackConfigSchema,
  aliases: {
    SLACK_BOT_TOKEN: { path: ['botToken'], type: 'string' },
    SLACK_SIGNING_SECRET: { path: ['signingSecret'], type: 'string' },
    SLACK_APP_TOKEN: { path: ['appToken'], type: 'string' },
  },
});

/** The secrets one Slack mode needs, checked; the error names the setting, never a value. */
export interface SlackCredentials {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
}

export function requireSlackCredentials(config: SlackConfig): SlackCredentials {
  const missing: string[] = [];
  if (config.botToken === undefined) missing.push('slack.botToken (env SLACK_BOT_TOKEN)');
  if (config.mode === 'http' && config.signingSecret === undefined) missing.push('slack.signingSecret (env SLACK_SIGNING_SECRET)');
  if (config.mode === 'socket' && config.appToken === undefined) missing.push('slack.appToken (env SLACK_APP_TOKEN)');
  if (missing.length > 0 || config.botToken === undefined) {
    throw new LegoError('config-invalid', `Slack ${config.mode} mode needs: ${missing.join(', ')}`);
  }
  return { botToken: config.botToken, signingSecret: config.signingSecret, appToken: config.appToken };
}
