/**
 * The logger every module writes to (engines, the bot, adapters): pino's shape (`logger.warn({ details }, 'message')`), so a pino logger
 * can be passed as it is. Every engine option that takes one defaults to a silent logger.
 */
export interface LogFn {
  (details: Record<string, unknown>, message?: string): void;
  (message: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}
