import type { webApi } from '@slack/bolt';
import type { Reply, ReplyProgress } from '../../src/bot/types';
import type { Logger } from '../../src/engine/types';
import { escapeMrkdwn, splitForSlack, SLACK_SECTION_LIMIT } from './slack-mrkdwn';
import type { SlackReplyTarget } from './slack-message-event';

export type SlackStreamingMode = 'auto' | 'stream' | 'update' | 'off';

export interface SlackReplyWriterOptions {
  /** auto/stream: chat.startStream → appendStream → stopStream (falls back to update when refused); update: post then chat.update */
  streaming: SlackStreamingMode;
  /** least time between two edits of the growing answer */
  intervalMs: number;
  logger: Logger;
  /** assistant threads: `assistant.threads.setStatus` while working */
  setStatus?: (status: string) => Promise<unknown>;
}

/** The numbered answer and its notices as one text (before escaping). */
export function replyText(reply: Reply): string {
  const notices = reply.notices.filter((notice) => notice.trim() !== '').map((notice) => `_${notice.trim()}_`);
  return [reply.text.trim(), ...notices].filter((part) => part !== '').join('\n\n');
}

function errorName(error: unknown): string {
  const data = (error as { data?: { error?: unknown } }).data;
  if (typeof data?.error === 'string') return data.error;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Writes one answer into a Slack thread: the growing text (streamed, or posted then edited at most
 * every `intervalMs`), then the final numbered mrkdwn text split under Slack's limits, then the
 * annotated image / timeline through the external upload flow into the same thread.
 */
export class SlackReplyWriter {
  private messageTs: string | undefined;
  private streamOpen = false;
  private streamRefused = false;
  private shown = '';
  private pending: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastEdit = 0;
  private chain: Promise<void> = Promise.resolve();
  private finished = false;

  constructor(
    private readonly client: webApi.WebClient,
    private readonly target: SlackReplyTarget,
    private readonly options: SlackReplyWriterOptions,
  ) {}

  /** The callbacks the pipeline calls while it works. */
  progress(): ReplyProgress {
    const setStatus = this.options.setStatus;
    return {
      typing: setStatus === undefined ? undefined : () => this.status('is thinking…'),
      status: setStatus === undefined ? undefined : (text: string) => this.status(text),
      partial: this.options.streaming === 'off' ? undefined : (text: string) => this.partial(text),
    };
  }

  private async status(text: string): Promise<void> {
    try {
      await this.options.setStatus?.(text);
    } catch (error) {
      this.options.logger.debug({ error: errorName(error) }, 'slack: setStatus failed');
    }
  }

  private partial(text: string): void {
    if (this.finished || text.trim() === '') return;
    this.pending = text;
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastEdit + this.options.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.chain = this.chain.then(() => this.flush());
    }, wait);
  }

  private useStream(): boolean {
    const mode = this.options.streaming;
    return (mode === 'stream' || mode === 'auto') && !this.streamRefused && this.target.threadTs !== undefined;
  }

  private async flush(): Promise<void> {
    const text = this.pending;
    this.pending = undefined;
    if (text === undefined || this.finished) return;
    let shown = escapeMrkdwn(text.trim());
    if (shown.length > SLACK_SECTION_LIMIT) shown = `${splitForSlack(shown, SLACK_SECTION_LIMIT - 1)[0] ?? ''}…`;
    this.lastEdit = Date.now();
    try {
      if (this.useStream() && (this.messageTs === undefined || this.streamOpen)) {
        await this.streamTo(shown);
        return;
      }
      if (this.messageTs === undefined) {
        const posted = await this.client.chat.postMessage({ channel: this.target.channel, thread_ts: this.target.threadTs, text: shown });
        this.messageTs = posted.ts;
      } else if (shown !== this.shown) {
        await this.client.chat.update({ channel: this.target.channel, ts: this.messageTs, text: shown });
      }
      this.shown = shown;
    } catch (error) {
      this.options.logger.warn({ error: errorName(error) }, 'slack: showing the growing answer failed');
    }
  }

  private async streamTo(shown: string): Promise<void> {
    if (this.messageTs === undefined) {
      try {
        const started = await this.client.chat.startStream({
          channel: this.target.channel,
          thread_ts: this.target.threadTs ?? '',
          markdown_text: shown,
          ...(this.target.isDm ? {} : { recipient_user_id: this.target.userId, recipient_team_id: this.target.teamId }),
        });
        this.messageTs = started.ts;
        this.streamOpen = true;
        this.shown = shown;
      } catch (error) {
        // not available here (older workspace, method not allowed): edit a posted message instead
        this.streamRefused = true;
        this.options.logger.info({ error: errorName(error) }, 'slack: chat.startStream refused, falling back to chat.update');
        this.pending = this.pending ?? shown;
      }
      return;
    }
    if (!shown.startsWith(this.shown) || shown === this.shown) return;
    await this.client.chat.appendStream({ channel: this.target.channel, ts: this.messageTs, markdown_text: shown.slice(this.shown.length) });
    this.shown = shown;
  }

  /** Post the final answer and its files; never throws for a Slack failure after the text is out. */
  async finish(reply: Reply): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    await this.chain;
    if (this.pending !== undefined) await this.flush(); // a stream refusal queued the text for chat.update
    this.finished = true;
    const pieces = splitForSlack(escapeMrkdwn(replyText(reply)));
    if (pieces.length === 0 && reply.files.length === 0) pieces.push('…');
    const { channel, threadTs } = this.target;
    let rest = pieces;
    if (this.messageTs !== undefined && this.streamOpen) {
      const first = pieces[0] ?? '';
      const extends_ = first.startsWith(this.shown);
      await this.client.chat.stopStream({
        channel,
        ts: this.messageTs,
        ...(extends_ && first.length > this.shown.length ? { markdown_text: first.slice(this.shown.length) } : {}),
      });
      if (!extends_ && first !== '') await this.client.chat.update({ channel, ts: this.messageTs, text: first });
      rest = pieces.slice(1);
    } else if (this.messageTs !== undefined) {
      const first = pieces[0] ?? this.shown;
      if (first !== this.shown && first !== '') await this.client.chat.update({ channel, ts: this.messageTs, text: first });
      rest = pieces.slice(1);
    }
    for (const piece of rest) {
      await this.client.chat.postMessage({ channel, thread_ts: threadTs, text: piece });
    }
    if (reply.files.length > 0) await this.upload(reply);
  }

  private async upload(reply: Reply): Promise<void> {
    const { channel, threadTs } = this.target;
    await this.client.filesUploadV2({
      channel_id: channel,
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      file_uploads: reply.files.map((file) => ({
        file: file.data,
        filename: file.name,
        title: file.description ?? file.name,
        ...(file.description === undefined ? {} : { alt_text: file.description }),
      })),
    } as webApi.FilesUploadV2Arguments);
  }
}
