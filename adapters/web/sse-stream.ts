import type { ServerResponse } from 'node:http';

/** Server-Sent Events on a response: `event: name` + one JSON `data:` line per event. */
export class SseStream {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly res: ServerResponse, heartbeatMs: number) {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    if (heartbeatMs > 0) {
      this.timer = setInterval(() => this.comment('keep-alive'), heartbeatMs);
      this.timer.unref();
    }
  }

  get open(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  send(event: string, data: unknown): void {
    if (!this.open) return;
    this.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  comment(text: string): void {
    if (this.open) this.res.write(`: ${text}\n\n`);
  }

  end(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.open) this.res.end();
  }
}
