/**
 * A one-consumer stream that a producer pushes into and a consumer reads with `for await`. The
 * producer runs at its own pace (parts are buffered), so a slow consumer never holds an engine's queue;
 * when the consumer stops early (`break`, `return()`), `onCancel` tells the producer to stop.
 */
export class PartChannel<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  private closed = false;
  private cancelled = false;
  private iterated = false;
  private wake: (() => void) | undefined;

  constructor(private readonly onCancel: () => void = () => undefined) {}

  /** Whether the consumer has gone away. */
  get isCancelled(): boolean {
    return this.cancelled;
  }

  push(item: T): void {
    if (this.closed || this.cancelled) return;
    this.buffer.push(item);
    this.notify();
  }

  close(): void {
    this.closed = true;
    this.notify();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterated) throw new Error('this stream can be read only once');
    this.iterated = true;
    return {
      next: async (): Promise<IteratorResult<T>> => {
        for (;;) {
          const item = this.buffer.shift();
          if (item !== undefined) return { value: item, done: false };
          if (this.closed || this.cancelled) return { value: undefined, done: true };
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
        }
      },
      return: async (): Promise<IteratorResult<T>> => {
        if (!this.closed && !this.cancelled) {
          this.cancelled = true;
          this.buffer.length = 0;
          this.notify();
          this.onCancel();
        }
        return { value: undefined, done: true };
      },
    };
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
