import pino from 'pino';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import type { LoggingConfig } from './config/logging';
import { REDACTED, scrubValue } from './log-scrubber';

/**
 * The project's logger: pino, with secrets kept out of every line. Keys that name a secret (token,
 * secret, password, authorization, cookie, api key, signing secret…) are replaced by `[redacted]` at any
 * depth, and strings anywhere in the entry (the message included) have token-shaped text masked:
 * `Bearer …`/`Bot …`/`Basic …`, Slack `xox?-…`/`xapp-…` tokens and webhook URLs, Discord bot tokens
 * (and JWTs), `sk-…` keys, `?token=`-style query values, `user:password@` in URLs.
 * Text printed outside the logger (start-up failures, uncaught errors) goes through scrubbedErrorText.
 */
export type LegoLogger = PinoLogger;

export { REDACTED, scrubbedErrorText, scrubText, scrubValue } from './log-scrubber';

/** One readable line per entry for a terminal (`logging.pretty`), without a transport worker. */
function prettyStream(write: (line: string) => void): DestinationStream {
  const names: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
  return {
    write(line: string): void {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        const { level, time, msg, pid: _pid, hostname: _host, ...rest } = entry;
        const clock = new Date(typeof time === 'number' ? time : Date.now()).toISOString().slice(11, 23);
        const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
        write(`${clock} ${names[Number(level)] ?? String(level)} ${String(msg ?? '')}${extra}\n`);
      } catch {
        write(line);
      }
    },
  };
}

export interface CreateLoggerOptions {
  /** where lines go (default: stderr, so that stdout stays for answers and `--json`) */
  destination?: DestinationStream;
  /** bindings on every line, e.g. `{ service: 'lego' }` */
  base?: Record<string, unknown>;
}

/** A pino logger configured from the `logging` section, with secrets redacted. */
export function createLogger(config: LoggingConfig, options: CreateLoggerOptions = {}): LegoLogger {
  const raw = options.destination ?? {
    write: (line: string) => {
      process.stderr.write(line);
    },
  };
  const destination = config.pretty ? prettyStream((line) => raw.write(line)) : raw;
  return pino(
    {
      level: config.level,
      base: options.base ?? null,
      // Known header/field paths first (fast-redact), then a deep scrub of everything else.
      redact: {
        paths: ['authorization', 'headers.authorization', 'req.headers.authorization', 'req.headers.cookie', '*.token', '*.secret'],
        censor: REDACTED,
      },
      serializers: { err: (error: unknown) => scrubValue(error), error: (error: unknown) => scrubValue(error) },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => scrubValue(arg)) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
    },
    destination,
  );
}
