import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { LegoError } from '../errors';
import type { IncomingAttachment, Reply, ReplyProgress } from '../bot/types';
import type { CliCommand } from './cli-command';
import type { GlobalOptions } from './cli-context';
import { parseRegionOption, withDrawnRegion } from '../conversation/drawn-region';
import { fileAttachment } from './file-attachment';
import { defaultOutDir, formatReply, toAskJson, writeReplyFiles } from './reply-output';

interface AskOptions {
  image?: string;
  video?: string;
  audio?: string;
  out?: string;
  json?: boolean;
  region?: string;
}

/** A reply that is a polite error, as an error to throw (its words are the line the CLI prints). */
export function replyError(reply: Reply): LegoError | undefined {
  if (reply.error === undefined) return undefined;
  return new LegoError(reply.error.code, reply.text, { userMessage: reply.text, retryable: reply.error.retryable });
}

/** Progress for long media work, on stderr (stdout stays for the answer and `--json`). */
export function stderrProgress(write: (text: string) => void): ReplyProgress {
  return { status: (text) => void write(`lego: ${text}\n`) };
}

/** `lego ask --image FILE "question"` / `--video FILE` / `--image FILE --audio SOUND`: one answer, pictures in `--out`. */
export const askCommand: CliCommand = {
  name: 'ask',
  register(program, context) {
    program
      .command('ask')
      .description('ask one question about an image or a video; pictures go to --out')
      .argument('[question...]', 'the question (default: what is in it)')
      .option('--image <file>', 'the image to ask about')
      .option('--video <file>', 'the video to ask about')
      .option('--audio <file>', 'a sound to ask about: alone, or with --image (where does it come from?)')
      .option('--out <dir>', 'folder for the annotated image and timeline (default: ./lego-out/<time>)')
      .option('--region <x1,y1,x2,y2>', 'ask about this rectangle of the image (pixels of the image as displayed: left,top,right,bottom)')
      .option('--json', 'print exactly one JSON object: {answer, boxes, spans, files}')
      .action(async (words: string[], options: AskOptions, command: Command) => {
        const { io } = context;
        const file = options.image ?? options.video;
        if ((file === undefined && options.audio === undefined) || (options.image !== undefined && options.video !== undefined)) {
          throw new LegoError('bad-input', 'ask needs exactly one of --image FILE or --video FILE (and may add --audio FILE)', {
            userMessage: 'ask needs exactly one of --image FILE or --video FILE (and may add --audio FILE)',
          });
        }
        if (options.video !== undefined && options.audio !== undefined) {
          const message = '--audio goes with --image; a video is heard through its own soundtrack';
          throw new LegoError('bad-input', message, { userMessage: message });
        }
        let text = words.join(' ').trim();
        if (options.region !== undefined) {
          const pixels = parseRegionOption(options.region);
          if (pixels === null || options.image === undefined) {
            const message = pixels === null
              ? `--region needs four pixel numbers x1,y1,x2,y2 (left,top,right,bottom), not "${options.region}"`
              : '--region marks a rectangle of an image: use it with --image';
            throw new LegoError('bad-input', message, { userMessage: message });
          }
          text = withDrawnRegion(text, { kind: 'box', pixels });
        }
        const attachments: IncomingAttachment[] = [];
        if (file !== undefined) attachments.push(await fileAttachment(file, io.cwd));
        if (options.audio !== undefined) attachments.push(await fileAttachment(options.audio, io.cwd));
        const globals = command.optsWithGlobals<GlobalOptions & AskOptions>();
        const config = context.config(globals, { conversation: { store: { kind: 'memory' } } });
        const cli = await context.openBot(config);
        let reply: Reply;
        try {
          reply = await cli.bot.handle(
            {
              platform: 'cli',
              conversationKey: `cli:ask:${randomUUID()}`,
              messageId: '1',
              author: { id: 'cli' },
              text,
              attachments,
            },
            stderrProgress((text) => io.stderr.write(text)),
          );
        } finally {
          await cli.close();
        }
        const failed = replyError(reply);
        if (failed !== undefined) throw failed;
        const outDir = options.out === undefined ? defaultOutDir(io.cwd) : resolve(io.cwd, options.out);
        const files = await writeReplyFiles(reply, outDir);
        if (options.json === true) io.stdout.write(`${JSON.stringify(toAskJson(reply, files))}\n`);
        else io.stdout.write(formatReply(reply, files, io.cwd));
      });
  },
};
