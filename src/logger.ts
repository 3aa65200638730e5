import pino from 'pino';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import type { LoggingConfig } from './config/logging';

/**
 * The project's logger: pino, with secrets kept out of every line. Keys that name a secret (token,
 * secret, password, authorization, cookie, api key, signing secret…) are replaced by `[redacted]` at any
 * depth, and strings anywhere in the entry (the message included) have token-shaped text masked:
 * `Bearer …`, Slack `xox?-…`/`xapp-…` tokens, Discord bot tokens, `?token=` query values.
 */
export type LegoLogger = PinoLogger;

export const REDACTED = '[redacted]';

const SECRET_KEY = /token|secret|passw(or)?d|authori[sz]ation|cookie|api[-_]?key|credential|private[-_]?key|signature/i;

const SECRET_TEXT: readonly RegExp[] = [
  /\b(Bearer|Basic|Bot)\s+[A-Za-z0-9._~+/=-]{8,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{6,}/g,
  /\bxapp-[A-Za-z0-9-]{6,}/g,
  /\b[MNO][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}/g,
  /([?&](?:token|access_token|key|signature|sig)=)[^&\s"']+/gi,
  /(redis(?:s)?:\/\/[^:/@\s]*:)[^@\s]+@/g,
];

/** Mask token-shaped text inside a string. */
export function scrubText(text: string): string {
  let out = text;
  for (const pattern of SECRET_TEXT) {
    out = out.replace(pattern, (match: string, prefix?: string) => {
      if (typeof prefix === 'string' && /^(Bearer|Basic|Bot)$/.test(prefix)) return `${prefix} ${REDACTED}`;
      if (typeof prefix === 'string' && match.startsWith(prefix)) return `${prefix}${REDACTED}${match.endsWith('@') ? '@' : ''}`;
      return REDACTED;
    });
  }
  return out;
}

/** A copy of `value` with secret-named keys redacted and token-shaped strings masked (errors become plain objects). */
export function scrubValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (seen.has(value) || depth > 8) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  if (value instanceof Error) {
    out.type = value.name;
    out.message = scrubText(value.message);
    if (value.stack !== undefined) out.stack = scrubText(value.stack);
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    if (value.cause !== undefined) out.cause = scrubValue(value.cause, depth + 1, seen);
  }
  for (const [key, item] of Object.entries(value)) {
    if (value instanceof Error && key in out) continue;
    out[key] = SECRET_KEY.test(key) && item !== undefined && item !== null && item !== '' ? REDACTED : scrubValue(item, depth + 1, seen);
  }
  return out;
}

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
