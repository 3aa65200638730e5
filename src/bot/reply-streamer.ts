import type { ReplySurface, SurfaceMessage } from './reply-surface';
import { splitMessage } from './split-message';
import type { ReplyFile } from './types';

export interface ReplyStreamerOptions {
  /** told about each message sent for this answer (Discord remembers them for reply chains) */
  onSent?(messageId: string): void;
  onError(error: unknown, what: string): void;
}

/** The polite line when the answer's files could not be attached. */
export const FILES_FAILED_NOTICE = 'I could not attach the picture here (too large for this server?).';

/**
 * Shows one answer on a surface: while it grows, at most one send or edit per `editIntervalMs` with the
 * latest text (never an edit storm — intermediate texts are coalesced), only once the turn has taken
 * `streamAfterMs`; at the end, the final text split into messages of `maxMessageChars` with the files on
 * the first. `finish` delivers once, whichever call comes first.
 */
export class ReplyStreamer {
  private latest = '';
  private shown = '';
  private messageId: string | undefined;
  private readonly sent: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastEditAt = Number.NEGATIVE_INFINITY;
  private readonly startedAt = Date.now();
  private delivery: Promise<readonly string[]> | undefined;
  /** how many sends and edits the growing answer took (for tests and logs) */
  streamedUpdates = 0;

  constructor(
    private readonly surface: ReplySurface,
    private readonly options: ReplyStreamerOptions,
  ) {}

  /** The latest growing text (unformatted). */
  get soFar(): string {
    return this.latest.trim();
  }

  partial(text: string): void {
    if (this.delivery !== undefined || this.surface.edit === undefined) return;
    this.latest = text;
    this.schedule();
  }

  private format(text: string): string {
    return this.surface.formatText === undefined ? text : this.surface.formatText(text);
  }

  /** The growing text as shown: formatted, within the message limit, with the growing mark. */
  private preview(text: string): string {
    const { maxMessageChars, growingMark } = this.surface.limits;
    const trimmed = this.format(text.trim());
    const room = maxMessageChars > 0 ? maxMessageChars - Math.max(growingMark.length, 1) : Number.POSITIVE_INFINITY;
    if (trimmed.length <= room) return trimmed + growingMark;
    const cut = trimmed.lastIndexOf(' ', room);
    return trimmed.slice(0, cut > room / 2 ? cut : room) + (growingMark === '' ? '…' : growingMark);
  }

  private schedule(): void {
    if (this.timer !== undefined || this.flushing !== undefined || this.delivery !== undefined) return;
    const { streamAfterMs, editIntervalMs } = this.surface.limits;
    const due = Math.max(this.startedAt + streamAfterMs, this.lastEditAt + editIntervalMs);
    const start = (): void => {
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.latest.trim() !== '' && this.preview(this.latest) !== this.shown) this.schedule();
      });
    };
    const wait = due - Date.now();
    if (wait <= 0) {
      start(); // nothing to wait for (no interval): show it now
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      start();
    }, wait);
  }

  private async flush(): Promise<void> {
    if (this.delivery !== undefined) return;
    const text = this.preview(this.latest);
    if (this.latest.trim() === '' || text === this.shown) return;
    try {
      await this.put({ text, files: [], final: false });
      this.shown = text;
      this.streamedUpdates++;
    } catch (error) {
      this.options.onError(error, 'streaming edit');
    } finally {
      this.lastEditAt = Date.now();
    }
  }

  /**
   * The final answer (already composed and formatted): replaces the growing message, adds follow-ups
   * for a long one. Resolves to the ids of the messages sent for the answer.
   */
  finish(text: string, files: readonly ReplyFile[] = []): Promise<readonly string[]> {
    this.delivery ??= this.deliver(text, files);
    return this.delivery;
  }

  /** Whether the final answer is on its way (or out). */
  get finishing(): boolean {
    return this.delivery !== undefined;
  }

  private async put(message: SurfaceMessage): Promise<void> {
    if (this.messageId === undefined || this.surface.edit === undefined) {
      const id = await this.surface.send(message);
      this.messageId ??= id;
      this.sent.push(id);
      this.options.onSent?.(id);
    } else {
      await this.surface.edit(this.messageId, message);
    }
  }

  private async deliver(text: string, files: readonly ReplyFile[]): Promise<readonly string[]> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    const limit = this.surface.limits.maxMessageChars;
    const chunks = limit > 0 ? splitMessage(text, limit) : text.trim() === '' ? [] : [text.trim()];
    const [first = '', ...rest] = chunks;
    if (first === '' && files.length === 0) {
      // nothing to say (platforms refuse empty messages): leave a streamed preview as it was, without its mark
      const sofar = this.format(this.latest.trim());
      if (this.messageId !== undefined && sofar !== '' && this.surface.edit !== undefined) {
        await this.surface.edit(this.messageId, { text: limit > 0 ? (splitMessage(sofar, limit)[0] ?? sofar) : sofar, files: [], final: true });
      }
      return this.sent;
    }
    const apart = this.surface.upload !== undefined;
    try {
      await this.put({ text: first, files: apart ? [] : files, final: true });
    } catch (error) {
      if (files.length === 0 || apart) throw error;
      // e.g. over the server's upload limit: the words still go out, with a note instead of the picture
      this.options.onError(error, 'sending the answer with its files');
      const note = this.surface.formatNotice === undefined ? FILES_FAILED_NOTICE : this.surface.formatNotice(FILES_FAILED_NOTICE);
      const content = limit <= 0 || first.length + note.length + 2 <= limit ? `${first}\n\n${note}` : first;
      await this.put({ text: content.trim() === '' ? note : content.trim(), files: [], final: true });
    }
    for (const chunk of rest) {
      const id = await this.surface.send({ text: chunk, files: [], final: true });
      this.sent.push(id);
      this.options.onSent?.(id);
    }
    if (apart && files.length > 0) {
      try {
        await this.surface.upload!(files);
      } catch (error) {
        this.options.onError(error, 'uploading the answer’s files');
        const note = this.surface.formatNotice === undefined ? FILES_FAILED_NOTICE : this.surface.formatNotice(FILES_FAILED_NOTICE);
        this.sent.push(await this.surface.send({ text: note, files: [], final: true }));
      }
    }
    return this.sent;
  }
}
