import { LegoError } from '../errors';

/**
 * Run one store operation within `timeoutMs`. Anything it throws (or a time-out) becomes LegoError
 * 'store-unavailable' (retryable), except a LegoError, which passes through unchanged.
 */
export async function callStore<T>(what: string, timeoutMs: number, operation: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new LegoError('store-unavailable', `${what}: no answer from the store within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([operation(), timeout]);
  } catch (error) {
    if (LegoError.is(error)) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new LegoError('store-unavailable', `${what}: ${detail}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
