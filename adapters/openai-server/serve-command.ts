import type { Command } from 'commander';
import type { CliCommand } from '../../src/cli/cli-command';
import type { GlobalOptions } from '../../src/cli/cli-context';
import { LegoError } from '../../src/errors';
import { removeStaleTempDirs } from '../../src/media/temp-workspace';

interface ServeFlags {
  host?: string;
  port?: string;
  allowUrlFetch?: boolean;
  allowPrivateUrls?: boolean;
  maxBodyMb?: string;
}

function portOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new LegoError('config-invalid', `--port must be 0..65535, got ${text}`, { userMessage: `--port must be 0..65535, got ${text}` });
  }
  return port;
}

/**
 * `lego serve [--host H] [--port N]`: the configured engine (onnx or remote) behind an OpenAI-compatible
 * API (see ./openai-server.ts). Host and port default to the `serve` config section (127.0.0.1:8090);
 * http(s) media URLs are fetched only with --allow-url-fetch, private addresses only with
 * --allow-private-urls. Runs until SIGINT/SIGTERM, then finishes cleanly.
 */
export const serveCommand: CliCommand = {
  name: 'serve',
  register(program, context) {
    program
      .command('serve')
      .description('serve the engine as an OpenAI-compatible API: /v1/chat/completions, /healthz, /metrics')
      .option('--host <host>', 'address to listen on (default: serve.host, 127.0.0.1)')
      .option('--port <port>', 'port to listen on, 0 = any free one (default: serve.port, 8090)')
      .option('--allow-url-fetch', 'fetch http(s) image/video URLs in requests (default: data: URLs only)')
      .option('--allow-private-urls', 'also fetch from private, loopback and link-local addresses (unsafe)')
      .option('--max-body-mb <mb>', 'largest request body in MiB (default: serve.maxBodyBytes, 64 MiB)')
      .action(async (flags: ServeFlags, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions & ServeFlags>();
        const port = portOf(flags.port);
        const config = context.config(globals, {
          serve: { ...(flags.host === undefined ? {} : { host: flags.host }), ...(port === undefined ? {} : { port }) },
          conversation: { store: { kind: 'memory' } },
        });
        // the CLI's way to open the configured (or injected) engine; its bot pipeline stays unused
        const cli = await context.openBot(config);
        const { engine, logger } = cli;
        const staleTemp = await removeStaleTempDirs(config.media.tempDir);
        if (staleTemp.length > 0) logger.info({ removed: staleTemp }, 'removed temporary media folders of processes that died');
        // loaded on use, so that `lego --help` starts without the server's modules
        const { OpenAiServer } = await import('./openai-server');
        const maxBodyMb = flags.maxBodyMb === undefined ? undefined : Number(flags.maxBodyMb);
        const server = new OpenAiServer(engine, {
          ...config.serve,
          media: config.media,
          requestTimeoutMs: config.engine.timeoutMs,
          fetch: { allowUrlFetch: flags.allowUrlFetch === true, allowPrivateAddresses: flags.allowPrivateUrls === true },
          ...(maxBodyMb !== undefined && maxBodyMb > 0 ? { maxBodyBytes: Math.floor(maxBodyMb * 1024 * 1024) } : {}),
          logger,
        });
        const url = await server.start();
        context.io.stdout.write(`lego serve: ${engine.name} at ${url}/v1/chat/completions (metrics: ${url}/metrics)\n`);
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            resolve();
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        await server.stop();
        await cli.close();
      });
  },
};
