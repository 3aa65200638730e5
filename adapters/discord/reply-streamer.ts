import type { ReplyFile } from '../../src/bot/types';
import { DISCORD_MESSAGE_LIMIT, splitMessage } from './split-message';
import type { OutgoingMessage, ReplyTarget } from './reply-target';
import { FILES_FAILED_NOTICE } from './user-texts';

export interface ReplyStreamerOptions {
  /** least time between two edits */
  editIntervalMs: number;
  /** show a growing answer only once it has taken this long (quick answers are sent once) */
  streamAfterMs: number;
  onSent(messageId: string): void;
  onError(error: unknown, what: string): void;
}

const IN_PROGRESS = ' …';

function preview(text: string): string {
  const trimmed = text.trim();
  const room = DISCORD_MESSAGE_LIMIT - IN_PROGRESS.length;
  if (trimmed.length <= room) return trimmed + IN_PROGRESS;
  const cut = trimmed.lastIndexOf(' ', room);
  return trimmed.slice(0, cut > room / 2 ? cut : room) + IN_PROGRESS;
}

/**
 * Shows one answer: while it grows, at most one send or edit per `editIntervalMs` with the latest
 * text (never an edit storm — intermediate texts are coalesced); at the end, the final text split into
 * messages with the files on the first. `finish` and `cutOff` deliver once, whichever comes first.
 */
export class ReplyStreamer {
  private latest = '';
  private shown = '';
  private messageId: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastEditAt = Number.NEGATIVE_INFINITY;
  private readonly startedAt = Date.now();
  private delivery: Promise<void> | undefined;
  /** how many sends and edits the growing answer took (for tests and logs) */
  streamedUpdates = 0;

  constructor(
    private readonly target: ReplyTarget,
    private readonly options: ReplyStreamerOptions,
  ) {}

  partial(text: string): void {
    if (this.delivery !== undefined) return;
    this.latest = text;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.flushing !== undefined || this.delivery !== undefined) return;
    const due = Math.max(this.startedAt + this.options.streamAfterMs, this.lastEditAt + this.options.editIntervalMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.latest.trim() !== '' && preview(this.latest) !== this.shown) this.schedule();
      });
    }, Math.max(0, due - Date.now()));
  }

  private async flush(): Promise<void> {
    if (this.delivery !== undefined) return;
    const text = preview(this.latest);
    if (this.latest.trim() === '' || text === this.shown) return;
    try {
      if (this.messageId === undefined) {
        this.messageId = await this.target.send({ content: text });
        this.options.onSent(this.messageId);
      } else {
        await this.target.edit(this.messageId, { content: text });
      }
      this.shown = text;
      this.streamedUpdates++;
    } catch (error) {
      this.options.onError(error, 'streaming edit');
    } finally {
      this.lastEditAt = Date.now();
    }
  }

  /** The final answer: replaces the growing message, adds follow-ups for long answers. */
  finish(text: string, files: readonly ReplyFile[] = []): Promise<void> {
    this.delivery ??= this.deliver(text, files);
    return this.delivery;
  }

  /** Tell the user the answer was cut off, keeping what was already written. Idempotent. */
  cutOff(notice: string): Promise<void> {
    const sofar = this.latest.trim();
    return this.finish(sofar === '' ? notice : `${sofar} …\n\n*${notice}*`);
  }

  private async put(message: OutgoingMessage): Promise<void> {
    if (this.messageId === undefined) {
      this.messageId = await this.target.send(message);
      this.options.onSent(this.messageId);
    } else {
      await this.target.edit(this.messageId, message);
    }
  }

  private async deliver(text: string, files: readonly ReplyFile[]): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    const chunks = splitMessage(text);
    const [first = '', ...rest] = chunks;
    if (first === '' && files.length === 0) {
      // nothing to say (Discord refuses empty messages): leave a streamed preview as it was, without the "…"
      const sofar = this.latest.trim();
      if (this.messageId !== undefined && sofar !== '') await this.target.edit(this.messageId, { content: splitMessage(sofar)[0] ?? sofar });
      return;
    }
    try {
      await this.put({ content: first, files });
    } catch (error) {
      if (files.length === 0) throw error;
      // e.g. over the server's upload limit: the words still go out, with a note instead of the picture
      this.options.onError(error, 'sending the answer with its files');
      const note = `*${FILES_FAILED_NOTICE}*`;
      const content = first.length + note.length + 2 <= DISCORD_MESSAGE_LIMIT ? `${first}\n\n${note}` : first;
      await this.put({ content: content.trim() === '' ? note : content });
    }
    for (const chunk of rest) this.options.onSent(await this.target.followUp({ content: chunk }));
  }
}
