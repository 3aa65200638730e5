import { LegoError } from '../errors';
import type { Reply } from './types';

/** A plain text reply (commands, questions back to the user). */
export function textReply(text: string, notices: string[] = []): Reply {
  return { text, files: [], boxes: [], spans: [], notices };
}

/** The polite reply for an error: its user-facing words, its code and whether trying again may help. */
export function errorReply(error: unknown, notices: string[] = []): Reply {
  const lego = LegoError.from(error);
  return {
    text: lego.userMessage,
    files: [],
    boxes: [],
    spans: [],
    error: { code: lego.code, retryable: lego.retryable },
    notices,
  };
}

/** A message deliberately left unanswered (queue strategy drop / latest-only). */
export function skippedReply(reason: 'dropped' | 'superseded'): Reply {
  return { text: '', files: [], boxes: [], spans: [], notices: [], skipped: reason };
}
