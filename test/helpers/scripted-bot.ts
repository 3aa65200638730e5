/**
 * ScriptedBot: a BotHandler double for adapter tests. It fetches every attachment the way the pipeline
 * does (through IncomingAttachment.fetch with a byte limit), reports progress, and answers with the
 * reply you script — or, by default, an echo of the question and the attachments it read.
 *
 *   const bot = new ScriptedBot({ replies: [{ text: 'The star [1].', boxes: [...] }] });
 *   bot.calls[0].message.attachments, bot.calls[0].bytes
 */
import type { BotHandler, IncomingMessage, Reply, ReplyProgress } from '../../src/bot/types';
import { LegoError } from '../../src/errors';

export interface ScriptedBotCall {
  message: IncomingMessage;
  /** the bytes fetched for each attachment */
  bytes: Buffer[];
  signal: AbortSignal | undefined;
}

export type ScriptedReply = Partial<Reply> | ((message: IncomingMessage, signal: AbortSignal | undefined) => Promise<Partial<Reply>> | Partial<Reply>);

export interface ScriptedBotOptions {
  replies?: ScriptedReply[];
  /** maxBytes passed to attachment.fetch (default 64 MiB) */
  maxBytes?: number;
  /** the answer is streamed through progress.partial in pieces of this many characters (default 6) */
  chunkSize?: number;
  /** ms between partials (default 0) */
  delayMs?: number;
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      if (signal?.aborted) reject(new LegoError('aborted', 'aborted'));
      else resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class ScriptedBot implements BotHandler {
  readonly calls: ScriptedBotCall[] = [];
  /** conversations that were reset */
  readonly resets: string[] = [];
  private readonly replies: ScriptedReply[];

  constructor(private readonly options: ScriptedBotOptions = {}) {
    this.replies = [...(options.replies ?? [])];
  }

  enqueue(...replies: ScriptedReply[]): void {
    this.replies.push(...replies);
  }

  async handle(message: IncomingMessage, progress: ReplyProgress = {}, signal?: AbortSignal): Promise<Reply> {
    const call: ScriptedBotCall = { message, bytes: [], signal };
    this.calls.push(call);
    await progress.typing?.();
    try {
      for (const attachment of message.attachments) {
        call.bytes.push(await attachment.fetch({ signal, maxBytes: this.options.maxBytes ?? 64 * 1024 * 1024 }));
      }
      if (message.text.trim().toLowerCase() === 'reset') {
        this.resets.push(message.conversationKey);
        return { text: 'Done — I forgot this conversation.', files: [], boxes: [], spans: [], notices: [] };
      }
      const script = this.replies.shift();
      const partial = typeof script === 'function' ? await script(message, signal) : script;
      const text = partial?.text ?? `You said: ${message.text} (${call.bytes.map((b) => b.length).join(', ') || 'no'} bytes)`;
      await progress.status?.('Looking at your file…');
      const chunk = this.options.chunkSize ?? 6;
      for (let at = chunk; at < text.length + chunk; at += chunk) {
        if (this.options.delayMs !== undefined && this.options.delayMs > 0) await wait(this.options.delayMs, signal);
        if (signal?.aborted) throw new LegoError('aborted', 'aborted');
        await progress.partial?.(text.slice(0, at));
      }
      return { text, files: [], boxes: [], spans: [], notices: [], ...partial };
    } catch (error) {
      const lego = LegoError.from(error);
      return {
        text: lego.userMessage, files: [], boxes: [], spans: [], notices: [], error: { code: lego.code, retryable: lego.retryable },
      };
    }
  }
}
