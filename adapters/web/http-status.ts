import type { LegoErrorCode } from '../../src/errors';

/** The HTTP status the web chat's API answers for each error code. */
export function httpStatusOf(code: LegoErrorCode): number {
  switch (code) {
    case 'bad-input':
    case 'media-corrupt':
      return 400;
    case 'not-found':
      return 404;
    case 'too-large':
      return 413;
    case 'unsupported-media':
      return 415;
    case 'limit-reached':
      return 429;
    case 'busy':
    case 'engine-unavailable':
    case 'store-unavailable':
      return 503;
    case 'engine-timeout':
      return 504;
    default:
      return 500;
  }
}
