/**
 * The one error type of the project. `code` is stable and machine-readable, `retryable` says whether
 * the same call may succeed later, `userMessage` is short and polite and safe to show in a chat;
 * `message` and `cause` carry the detail for logs (never tokens or secrets).
 */
export type LegoErrorCode =
  | 'bad-input' // the user's request or file is unusable
  | 'unsupported-media' // a type we do not read
  | 'too-large' // bytes, pixels, duration over a limit
  | 'media-corrupt' // a file that claims a type but does not decode
  | 'bundle-invalid' // a model bundle that does not load
  | 'engine-timeout'
  | 'engine-unavailable'
  | 'engine-failed'
  | 'aborted'
  | 'context-overflow'
  | 'store-unavailable'
  | 'store-corrupt'
  | 'download-refused'
  | 'download-failed'
  | 'platform-error'
  | 'config-invalid'
  | 'not-found'
  | 'busy'
  | 'limit-reached' // a per-user limit (questions per minute, media bytes per day)
  | 'internal';

export interface LegoErrorOptions {
  retryable?: boolean;
  userMessage?: string;
  cause?: unknown;
  details?: Record<string, unknown>;
}

const DEFAULT_USER_MESSAGES: Record<LegoErrorCode, string> = {
  'bad-input': 'Sorry, I could not understand that request.',
  'unsupported-media': 'Sorry, I cannot read that kind of file. Try a JPEG, PNG, WebP, GIF image or an MP4/WebM video.',
  'too-large': 'Sorry, that file is too large for me.',
  'media-corrupt': 'Sorry, that file seems to be damaged and I could not open it.',
  'bundle-invalid': 'The model is not available right now.',
  'engine-timeout': 'Sorry, the model took too long to answer. Please try again.',
  'engine-unavailable': 'The model is unavailable right now, please try again in a moment.',
  'engine-failed': 'Sorry, something went wrong while answering. Please try again.',
  aborted: 'The answer was cut off.',
  'context-overflow': 'This conversation is too long for me; I dropped the oldest turns.',
  'store-unavailable': 'I cannot reach my memory right now, please try again in a moment.',
  'store-corrupt': 'I could not read our earlier conversation, so I am starting fresh.',
  'download-refused': 'Sorry, I can only read files uploaded to this chat.',
  'download-failed': 'Sorry, I could not download that file.',
  'platform-error': 'Sorry, something went wrong while sending my answer.',
  'config-invalid': 'The bot is not configured correctly.',
  'not-found': 'Sorry, I could not find that.',
  busy: 'I am busy with other questions right now, please try again in a moment.',
  'limit-reached': 'You have reached the number of questions or files I take from one person for now; please try again a little later.',
  internal: 'Sorry, something went wrong on my side.',
};

const RETRYABLE: ReadonlySet<LegoErrorCode> = new Set<LegoErrorCode>([
  'engine-timeout',
  'engine-unavailable',
  'store-unavailable',
  'download-failed',
  'platform-error',
  'busy',
  'limit-reached',
]);

export class LegoError extends Error {
  readonly code: LegoErrorCode;
  readonly retryable: boolean;
  readonly userMessage: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: LegoErrorCode, message: string, options: LegoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LegoError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE.has(code);
    this.userMessage = options.userMessage ?? DEFAULT_USER_MESSAGES[code];
    this.details = options.details;
  }

  static is(value: unknown, code?: LegoErrorCode): value is LegoError {
    return value instanceof LegoError && (code === undefined || value.code === code);
  }

  /** Wrap anything thrown into a LegoError, keeping a LegoError as it is. */
  static from(value: unknown, code: LegoErrorCode = 'internal'): LegoError {
    if (value instanceof LegoError) return value;
    if (value instanceof Error && value.name === 'AbortError') {
      return new LegoError('aborted', value.message, { cause: value });
    }
    const message = value instanceof Error ? value.message : String(value);
    return new LegoError(code, message, { cause: value });
  }
}
