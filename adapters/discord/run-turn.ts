import { LegoError } from '../../src/errors';
import type { IncomingMessage, Reply, ReplyProgress } from '../../src/bot/types';
import type { AdapterContext } from './adapter-context';
import { ReplyStreamer } from './reply-streamer';
import type { ReplyTarget } from './reply-target';
import { TypingIndicator } from './typing-indicator';
import { CUT_OFF_TEXT } from './user-texts';

export interface TurnOptions {
  incoming: IncomingMessage;
  target: ReplyTarget;
  /** renews the typing indicator (absent for slash commands: Discord shows "thinking…") */
  sendTyping?: () => Promise<unknown>;
  /** the adapter's own notices (files left out…), shown after the pipeline's */
  notices?: readonly string[];
}

function composeText(reply: Reply, notices: readonly string[]): string {
  const extra = [...reply.notices, ...notices].filter((line) => line.trim() !== '').map((line) => `*${line.trim()}*`);
  return [reply.text.trim(), ...extra].filter((part) => part !== '').join('\n\n');
}

/**
 * One question, start to end: typing indicator, the pipeline with progress callbacks, a streamed or
 * single reply, and a cut-off notice when shutdown aborts it. Never throws: failures are logged and,
 * where possible, answered with the error's short user message.
 */
export async function runTurn(ctx: AdapterContext, options: TurnOptions): Promise<void> {
  const { incoming, target } = options;
  const log = { conversation: incoming.conversationKey, message: incoming.messageId };
  const onError = (error: unknown, what: string): void => {
    ctx.logger.warn({ ...log, err: error }, `discord: ${what} failed`);
  };
  const typing =
    options.sendTyping === undefined
      ? undefined
      : new TypingIndicator(options.sendTyping, ctx.config.typingIntervalMs, (error) => onError(error, 'typing indicator'));
  const streamer = new ReplyStreamer(target, {
    editIntervalMs: ctx.config.editIntervalMs,
    streamAfterMs: ctx.config.streamAfterMs,
    onSent: (messageId) => {
      typing?.stop();
      ctx.memory.rememberMessage(messageId, incoming.conversationKey);
    },
    onError,
  });
  const progress: ReplyProgress = {
    typing: () => typing?.pulse(),
    partial: (text) => streamer.partial(text),
  };
  typing?.start();
  try {
    await ctx.inFlight.track(
      async (signal) => {
        let reply: Reply;
        try {
          reply = await ctx.bot.handle(incoming, progress, signal);
        } catch (error) {
          const lego = LegoError.from(error);
          if (!signal.aborted) ctx.logger.error({ ...log, err: error, code: lego.code }, 'discord: the pipeline threw');
          reply = { text: lego.userMessage, files: [], boxes: [], spans: [], notices: [], error: { code: lego.code, retryable: lego.retryable } };
        } finally {
          typing?.stop();
        }
        if (signal.aborted && (reply.error !== undefined || reply.text.trim() === '')) {
          await streamer.cutOff(CUT_OFF_TEXT);
          return;
        }
        if (reply.skipped !== undefined) {
          ctx.logger.debug({ ...log, skipped: reply.skipped }, 'discord: the pipeline skipped this message');
          return;
        }
        if (reply.error !== undefined) ctx.logger.info({ ...log, code: reply.error.code }, 'discord: answered with an error message');
        await streamer.finish(composeText(reply, options.notices ?? []), reply.files);
      },
      () => streamer.cutOff(CUT_OFF_TEXT),
    );
  } catch (error) {
    onError(error, 'sending the answer');
  } finally {
    typing?.stop();
  }
}
