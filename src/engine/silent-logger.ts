import type { Logger } from '../logger-type';

function nothing(): void {
  // deliberately empty
}

/** A logger that drops everything; the default wherever a logger is optional. */
export const silentLogger: Logger = Object.freeze({ debug: nothing, info: nothing, warn: nothing, error: nothing });
