import type { Reply } from '../../src/bot/types';
import type { LegoError } from '../../src/errors';

/** A reply that is only the polite words of an error (never its detail). */
export function errorReply(error: LegoError): Reply {
  return {
    text: error.userMessage,
    files: [],
    boxes: [],
    spans: [],
    error: { code: error.code, retryable: error.retryable },
    notices: [],
  };
}
