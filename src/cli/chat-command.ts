import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { IncomingAttachment, ReplyProgress } from '../bot/types';
import { replyError, stderrProgress } from './ask-command';
import { errorLine } from './cli-error';
import type { CliCommand } from './cli-command';
import type { GlobalOptions } from './cli-context';
import { fileAttachment, sniffFile } from './file-attachment';
import { defaultOutDir, formatDetails, formatReply, writeReplyFiles } from './reply-output';


const IMAGE_NAME = /\.(png|jpe?g|webp|gif|bmp|tiff?|avif|heic)$/i;

const CHAT_HELP = [
  'Commands: /image FILE [question], /video FILE [question] — look at a file (ask now, or with your next line);',
  '/audio FILE [question] — listen to a sound (with the image loaded just before it, or alone);',
  '/reset — forget this conversation; /regions — what I remember; /export — save it as Markdown with pictures (a folder in --out); /help — this and what I can do; /quit — leave.',
].join('\n');

interface ChatOptions {
  image?: string;
  video?: string;
  out?: string;
}

/** `lego chat`: a multi-turn conversation in the terminal, like LEGO's own CLI. */
export const chatCommand: CliCommand = {
  name: 'chat',
  register(program, context) {
    program
      .command('chat')
      .description('an interactive multi-turn chat about images and videos (/image FILE, /video FILE, /reset, /regions, /export, /help, /quit)')
      .option('--image <file>', 'start with this image')
      .option('--video <file>', 'start with this video')
      .option('--out <dir>', 'folder for the pictures of every answer (default: ./lego-out/<time>)')
      .action(async (options: ChatOptions, command: Command) => {
        const { io } = context;
        // what the next question is asked with: an image or a video, and a sound to go with an image
        let pending: IncomingAttachment[] = [];
        const start = options.image ?? options.video;
        if (start !== undefined) pending = [await fileAttachment(start, io.cwd)];
        const config = context.config(command.optsWithGlobals<GlobalOptions & ChatOptions>());
        const cli = await context.openBot(config);
        const key = `cli:chat:${randomUUID()}`;
        const outDir = options.out === undefined ? defaultOutDir(io.cwd) : resolve(io.cwd, options.out);
        const say = (text: string): void => void io.stdout.write(text);
        const prompt = (): void => {
          if (io.interactive) say('you> ');
        };
        let turn = 0;
        const send = async (text: string, attachments: IncomingAttachment[]): Promise<void> => {
          turn += 1;
          // In a terminal the answer appears as it is generated (coordinates already as [n]).
          let streamed = '';
          const progress: ReplyProgress = {
            ...stderrProgress((line) => io.stderr.write(line)),
            ...(io.interactive
              ? {
                  partial: (partial: string) => {
                    if (!partial.startsWith(streamed) || partial === streamed) return;
                    say(`${streamed === '' ? 'lego> ' : ''}${partial.slice(streamed.length)}`);
                    streamed = partial;
                  },
                }
              : {}),
          };
          const reply = await cli.bot.handle(
            { platform: 'cli', conversationKey: key, messageId: String(turn), author: { id: 'cli' }, text, attachments },
            progress,
          );
          const failed = replyError(reply);
          if (failed !== undefined) {
            if (streamed !== '') say('\n');
            io.stderr.write(errorLine(failed));
            return;
          }
          // an export is a folder of its own: conversation.md and the pictures it links to, side by side
          const isExport = reply.files.some((f) => f.kind === 'export');
          const files = isExport
            ? await writeReplyFiles(reply, join(outDir, `export-${String(turn).padStart(3, '0')}`))
            : await writeReplyFiles(reply, outDir, `${String(turn).padStart(3, '0')}-`);
          if (streamed !== '' && reply.text.startsWith(streamed)) {
            say(`${reply.text.slice(streamed.length)}\n${formatDetails(reply, files, io.cwd)}`);
          } else {
            say(`${streamed === '' ? '' : '\n'}lego> ${formatReply(reply, files, io.cwd)}`);
          }
        };

        say(`LEGO chat (${cli.engine.name}). ${CHAT_HELP}\n`);
        if (pending.length > 0) say(`Loaded ${pending[0]!.name}: ask me about it.\n`);
        const lines = createInterface({ input: io.stdin, terminal: false, crlfDelay: Number.POSITIVE_INFINITY });
        try {
          prompt();
          for await (const raw of lines) {
            const line = raw.trim();
            try {
              const media = /^\/(image|video|audio)\s+(?:"([^"]+)"|(\S+))\s*(.*)$/i.exec(line);
              if (line === '') {
                // nothing
              } else if (/^\/(quit|exit|q)$/i.test(line)) {
                break;
              } else if (/^\/help$/i.test(line)) {
                say(`${CHAT_HELP}\n`);
                await send('help', []);
              } else if (/^\/(reset|regions|export)$/i.test(line)) {
                pending = [];
                await send(line.slice(1).toLowerCase(), []);
              } else if (media !== null) {
                const attachment = await fileAttachment(media[2] ?? media[3] ?? '', io.cwd);
                const question = (media[4] ?? '').trim();
                // a sound joins the image loaded just before it (one media context); an image or video starts anew
                const isSound = media[1]!.toLowerCase() === 'audio';
                const withImage = isSound ? pending.filter((a) => IMAGE_NAME.test(a.name)).slice(0, 1) : [];
                const attachments = [...withImage, attachment];
                if (question === '') {
                  // a file that is no media at all is said now, not after the question typed for it
                  await sniffFile(attachment, media[2] ?? media[3] ?? '');
                  pending = attachments;
                  say(withImage.length > 0 ? `Loaded ${withImage[0]!.name} with the sound ${attachment.name}: ask me about them.\n` : `Loaded ${attachment.name}: ask me about it.\n`);
                } else {
                  pending = [];
                  await send(question, attachments);
                }
              } else if (line.startsWith('/')) {
                say(`Unknown command ${line.split(/\s/)[0]}. ${CHAT_HELP}\n`);
              } else {
                const attachments = pending;
                pending = [];
                await send(line, attachments);
              }
            } catch (error) {
              io.stderr.write(errorLine(error));
            }
            prompt();
          }
        } finally {
          lines.close();
          await cli.close();
        }
      });
  },
};
