/**
 * Keeps a platform's typing indicator on (Discord's fades after ~10 s) until stopped, renewed every
 * `intervalMs`; 0 shows it once (the surface keeps it itself: the web chat's event, Slack's status).
 * Failures only get logged.
 */
export class TypingIndicator {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly sendTyping: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.pulse();
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => this.pulse(), this.intervalMs);
    this.timer.unref();
  }

  /** One more indicator now (the pipeline asks when a slow step begins); a no-op once stopped. */
  pulse(): void {
    if (this.stopped) return;
    this.sendTyping().catch(this.onError);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
