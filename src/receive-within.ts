import type { MemoryBudget } from './media/memory-budget';

/** What `receiveWithin` needs of an HTTP request (node's IncomingMessage). */
export interface ReceivingRequest {
  headers: { 'content-length'?: string | undefined };
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

/**
 * Read a request's body once its bytes fit in `budget` beside the bodies being received (an HTTP
 * server's uploads): it costs its Content-Length, or `limit` when it declares none. Until then it waits
 * unread (the client's own TCP window holds what it sends). A body declared over `limit` is read at once,
 * so that `read` refuses it from its header without waiting; a client that goes away while waiting
 * gives its place up (the call rejects with LegoError 'aborted').
 */
export async function receiveWithin<T>(budget: MemoryBudget, request: ReceivingRequest, limit: number, read: () => Promise<T>): Promise<T> {
  const header = request.headers['content-length'];
  const declared = Number(header);
  const known = header !== undefined && Number.isFinite(declared) && declared >= 0;
  if (known && declared > limit) return read();
  const gone = new AbortController();
  const onClose = (): void => gone.abort();
  request.once('close', onClose);
  try {
    return await budget.run(known ? declared : limit, read, gone.signal);
  } finally {
    request.off('close', onClose);
  }
}
