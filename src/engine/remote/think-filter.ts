const OPEN = '<think>';
const CLOSE = '</think>';

/** How much of the end of `text` might be the start of `tag` (held back until the next piece). */
function partialTag(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n -= 1) {
    if (tag.startsWith(text.slice(text.length - n))) return n;
  }
  return 0;
}

/**
 * Removes a model's reasoning from the streamed answer: `<think>…</think>` anywhere, and for models
 * whose chat template opens the thought itself (`-Thinking`), everything up to the first `</think>` —
 * held back until it comes; when the answer ends without one, it was all answer (a server whose
 * reasoning parser moved the thought to `reasoning_content`). Reasoning is never shown and never read
 * for coordinates; it is dropped, not kept in the conversation. One per answer.
 */
export class ThinkFilter {
  private state: 'maybe-thought' | 'answer' | 'thought';
  private held = '';
  private started = false;
  private sawThought = false;
  /** characters of reasoning dropped (for logs) */
  dropped = 0;

  constructor(opensInThought: boolean) {
    this.state = opensInThought ? 'maybe-thought' : 'answer';
  }

  /** The server sends reasoning apart (`reasoning_content`): the content is all answer. */
  reasoningApart(): string {
    if (this.state !== 'maybe-thought') return '';
    this.state = 'answer';
    const held = this.held;
    this.held = '';
    return this.push(held);
  }

  /** The visible part of the next piece of content. */
  push(delta: string): string {
    let text = this.held + delta;
    this.held = '';
    let out = '';
    while (text !== '') {
      if (this.state === 'maybe-thought') {
        const close = text.indexOf(CLOSE);
        const open = text.indexOf(OPEN);
        if (open >= 0 && (close < 0 || open < close)) {
          out += text.slice(0, open);
          this.state = 'thought';
          this.sawThought = true;
          text = text.slice(open + OPEN.length);
          continue;
        }
        if (close < 0) {
          this.held = text;
          break;
        }
        this.dropped += close;
        this.state = 'answer';
        this.sawThought = true;
        text = text.slice(close + CLOSE.length);
        continue;
      }
      if (this.state === 'thought') {
        const close = text.indexOf(CLOSE);
        if (close < 0) {
          const keep = partialTag(text, CLOSE);
          this.dropped += text.length - keep;
          this.held = text.slice(text.length - keep);
          break;
        }
        this.dropped += close;
        this.state = 'answer';
        this.sawThought = true;
        text = text.slice(close + CLOSE.length);
        continue;
      }
      const open = text.indexOf(OPEN);
      if (open >= 0) {
        out += text.slice(0, open);
        this.state = 'thought';
          this.sawThought = true;
        text = text.slice(open + OPEN.length);
        continue;
      }
      const keep = partialTag(text, OPEN);
      out += text.slice(0, text.length - keep);
      this.held = text.slice(text.length - keep);
      break;
    }
    return this.visible(out);
  }

  /** The answer is over: what was held back (a thought never closed is dropped). */
  end(): string {
    const held = this.held;
    this.held = '';
    if (this.state === 'thought') {
      this.dropped += held.length;
      return '';
    }
    return this.visible(held);
  }

  /** the answer's start without the blank lines a thought leaves */
  private visible(text: string): string {
    if (this.started) return text;
    if (!this.sawThought) {
      if (text !== '') this.started = true;
      return text;
    }
    const trimmed = text.replace(/^\s+/, '');
    if (trimmed !== '') this.started = true;
    return trimmed;
  }
}
