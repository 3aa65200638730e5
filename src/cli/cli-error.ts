import { LegoError } from '../errors';
import { scrubText } from '../log-scrubber';

/** Codes whose technical detail helps the person at the terminal (they run the bot, they can fix it). */
const SHOW_DETAIL = new Set(['config-invalid', 'bundle-invalid', 'engine-unavailable', 'internal', 'engine-failed']);


/** One clear line for an error: `lego: <what went wrong>`, no stack, no secrets. */
export function errorLine(error: unknown): string {
  const lego = LegoError.from(error);
  let text = lego.userMessage;
  if (SHOW_DETAIL.has(lego.code) && lego.message !== lego.userMessage) text = `${text} ${lego.message}`;
  return `lego: ${scrubText(text).replace(/\s*\n\s*/g, ' ').trim()}\n`;
}

/** A file named on the command line that cannot be read. */
export function unreadableFileError(file: string, cause: unknown): LegoError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : 'unreadable';
  const text = `cannot read ${file}: ${reason}`;
  return new LegoError('not-found', text, { cause, userMessage: text });
}
