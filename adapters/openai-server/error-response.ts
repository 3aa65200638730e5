import type { WireError } from '../../src/engine/remote/openai-wire';
import type { LegoError, LegoErrorCode } from '../../src/errors';

export interface HttpError {
  status: number;
  body: WireError;
  /** seconds, for 429/503 */
  retryAfter?: number;
}

const STATUS: Partial<Record<LegoErrorCode, number>> = {
  'bad-input': 400,
  'unsupported-media': 415,
  'media-corrupt': 400,
  'context-overflow': 400,
  'download-refused': 403,
  'download-failed': 400,
  'too-large': 413,
  'not-found': 404,
  busy: 503,
  'engine-unavailable': 503,
  'bundle-invalid': 503,
  'engine-timeout': 504,
  aborted: 499,
};

/** A LegoError as an HTTP status and OpenAI's error object (plus `retryable`); 5xx keep their detail out of the message. */
export function errorResponse(error: LegoError): HttpError {
  const status = STATUS[error.code] ?? 500;
  const clientError = status < 500;
  const param = typeof error.details?.param === 'string' ? error.details.param : null;
  const body: WireError = {
    error: {
      message: clientError ? error.message : error.userMessage,
      type: clientError ? 'invalid_request_error' : status === 503 ? 'service_unavailable' : 'server_error',
      code: error.code,
      param,
      retryable: error.retryable,
    },
  };
  return status === 503 ? { status, body, retryAfter: 1 } : { status, body };
}

/** An error that is not a LegoError's (routing, methods, JSON syntax). */
export function plainError(status: number, message: string, code: string, type = 'invalid_request_error'): HttpError {
  return { status, body: { error: { message, type, code, param: null, retryable: false } } };
}
