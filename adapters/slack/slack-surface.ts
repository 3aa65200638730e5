import type { webApi } from '@slack/bolt';
import type { ReplySurface, SurfaceMessage } from '../../src/bot/reply-surface';
import type { ReplyFile } from '../../src/bot/types';
import type { Logger } from '../../src/logger-type';
import type { SlackReplyTarget } from './slack-message-event';
import { escapeMrkdwn, SLACK_SECTION_LIMIT } from './slack-mrkdwn';

export type SlackStreamingMode = 'auto' | 'stream' | 'update' | 'off';

export interface SlackSurfaceOptions {
  /** auto/stream: chat.startStream → appendStream → stopStream (falls back to update when refused); update: post then chat.update; off: the final answer only */
  streaming: SlackStreamingMode;
  /** least time between two edits of the growing answer */
  intervalMs: number;
  logger: Logger;
  /** assistant threads: `assistant.threads.setStatus` while working */
  setStatus?: (status: string) => Promise<unknown>;
}

function errorName(error: unknown): string {
  const data = (error as { data?: { error?: unknown } }).data;
  if (typeof data?.error === 'string') return data.error;
  return error instanceof Error ? error.message : String(error);
}

/**
 * One answer's reply surface in a Slack thread: messages are posted (or streamed with Slack's
 * chat.startStream / appendStream / stopStream where the workspace has them) and edited with
 * chat.update; the text is escaped mrkdwn under Slack's section limit; files go up through the external
 * upload flow into the same thread once the final text is out.
 */
export function slackSurface(client: webApi.WebClient, target: SlackReplyTarget, options: SlackSurfaceOptions): ReplySurface {
  let streamOpen = false;
  let streamRefused = false;
  let shown = '';
  const { channel, threadTs } = target;
  const useStream = (): boolean => (options.streaming === 'stream' || options.streaming === 'auto') && !streamRefused && threadTs !== undefined;

  const upload = async (files: readonly ReplyFile[]): Promise<void> => {
    if (files.length === 0) return;
    await client.filesUploadV2({
      channel_id: channel,
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      file_uploads: files.map((file) => ({
        file: file.data,
        filename: file.name,
        title: file.description ?? file.name,
        ...(file.description === undefined ? {} : { alt_text: file.description }),
      })),
    } as webApi.FilesUploadV2Arguments);
  };

  const post = async (message: SurfaceMessage): Promise<string> => {
    const posted = await client.chat.postMessage({ channel, thread_ts: threadTs, text: message.text === '' ? '…' : message.text });
    shown = message.text;
    return posted.ts ?? '';
  };

  return {
    limits: {
      maxMessageChars: SLACK_SECTION_LIMIT,
      editIntervalMs: options.intervalMs,
      streamAfterMs: 0,
      typingIntervalMs: 0,
      maxUploadBytes: 0,
      growingMark: '',
    },
    async send(message) {
      if (message.final || !useStream()) return post(message);
      try {
        const started = await client.chat.startStream({
          channel,
          thread_ts: threadTs ?? '',
          markdown_text: message.text,
          ...(target.isDm ? {} : { recipient_user_id: target.userId, recipient_team_id: target.teamId }),
        });
        streamOpen = true;
        shown = message.text;
        return started.ts ?? '';
      } catch (error) {
        // not available here (older workspace, method not allowed): edit a posted message instead
        streamRefused = true;
        options.logger.info({ error: errorName(error) }, 'slack: chat.startStream refused, falling back to chat.update');
        return post(message);
      }
    },
    ...(options.streaming === 'off'
      ? {}
      : {
          async edit(ts: string, message: SurfaceMessage): Promise<void> {
            const extends_ = message.text.startsWith(shown);
            if (streamOpen && !message.final) {
              if (!extends_ || message.text === shown) return;
              await client.chat.appendStream({ channel, ts, markdown_text: message.text.slice(shown.length) });
              shown = message.text;
              return;
            }
            if (streamOpen) {
              streamOpen = false;
              await client.chat.stopStream({
                channel,
                ts,
                ...(extends_ && message.text.length > shown.length ? { markdown_text: message.text.slice(shown.length) } : {}),
              });
              if (!extends_ && message.text !== '') await client.chat.update({ channel, ts, text: message.text });
            } else if (message.text !== shown && message.text !== '') {
              await client.chat.update({ channel, ts, text: message.text });
            }
            shown = message.text;
          },
        }),
    ...(options.setStatus === undefined
      ? {}
      : { typing: () => options.setStatus!('is thinking…'), status: (text: string) => options.setStatus!(text) }),
    upload,
    formatText: escapeMrkdwn,
    formatNotice: (line) => `_${line}_`,
  };
}
