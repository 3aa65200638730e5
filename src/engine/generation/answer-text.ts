/**
 * Turns the decoded text of the tokens generated so far into the answer's visible text, piece by piece:
 * drops the one leading space the model writes after "Assistant:", cuts at the first stop string, and
 * holds back what may still turn into a stop string, a half-decoded character (U+FFFD) or trailing
 * whitespace, so that the pieces always add up to the final answer.
 */
export class AnswerText {
  private emitted = '';
  private stoppedAt: string | undefined;
  private readonly longestStop: number;

  constructor(private readonly stops: readonly string[]) {
    this.longestStop = stops.reduce((m, s) => Math.max(m, s.length), 0);
  }

  /** The text given out so far. */
  get text(): string {
    return this.emitted;
  }

  /** The stop string that ended the answer, if one did. */
  get stopString(): string | undefined {
    return this.stoppedAt;
  }

  /**
   * Takes the decoded text of all generated tokens; returns the new visible piece ('' when there is
   * none yet) and whether a stop string was reached (then nothing after it is ever shown).
   */
  update(decoded: string): { delta: string; stopped: boolean } {
    if (this.stoppedAt !== undefined) return { delta: '', stopped: true };
    const text = decoded.startsWith(' ') ? decoded.slice(1) : decoded;
    const from = Math.max(0, this.emitted.length - this.longestStop);
    let cut = -1;
    for (const s of this.stops) {
      if (s === '') continue;
      const i = text.indexOf(s, from);
      if (i >= 0 && (cut < 0 || i < cut)) {
        cut = i;
        this.stoppedAt = s;
      }
    }
    if (cut >= 0) return { delta: this.advance(text.slice(0, cut).trimEnd()), stopped: true };
    return { delta: this.advance(text.slice(0, text.length - this.holdBack(text))), stopped: false };
  }

  /** The answer is over (stop token, length, abort): gives out what was held back, except trailing whitespace. */
  finish(decoded: string): string {
    if (this.stoppedAt !== undefined) return '';
    const text = decoded.startsWith(' ') ? decoded.slice(1) : decoded;
    return this.advance(text.replace(/\uFFFD+$/, '').trimEnd());
  }

  private advance(visible: string): string {
    if (visible.length <= this.emitted.length || !visible.startsWith(this.emitted)) return '';
    const delta = visible.slice(this.emitted.length);
    this.emitted = visible;
    return delta;
  }

  /** How many characters at the end of `text` must wait for more tokens. */
  private holdBack(text: string): number {
    let hold = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, text.length); k > hold; k -= 1) {
        if (text.endsWith(s.slice(0, k))) {
          hold = k;
          break;
        }
      }
    }
    let end = text.length - hold;
    while (end > 0 && (text[end - 1] === '\uFFFD' || /\s/.test(text[end - 1]!))) end -= 1;
    return text.length - end;
  }
}
