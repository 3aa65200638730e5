import { LegoError } from '../../errors';
import type { Turn } from '../types';
import type { BundleManifest } from './bundle-manifest';
import type { LegoTokenizer } from './lego-tokenizer';

export type MediaKind = 'image' | 'video' | 'audio';

/** The media placed before the first question, in order (an image or a video, then a sound). */
export type PromptMedia = MediaKind | readonly MediaKind[] | undefined;

function kindsOf(media: PromptMedia): readonly MediaKind[] {
  if (media === undefined) return [];
  return typeof media === 'string' ? [media] : media;
}

export interface BuiltPrompt {
  /** the prompt text (LEGO's template) */
  text: string;
  /** its token ids */
  ids: number[];
  /** the turns that are in it (the newest ones) */
  turns: Turn[];
  /** turns dropped from the front to fit the context */
  droppedTurns: number;
  /** characters cut from the front of the last question when even it alone did not fit */
  truncatedChars: number;
  /** how many tokens may be generated after it without passing the context */
  room: number;
  /** the fusion query (user turns latest first, joined by the separator, cut) — when the bundle has fusion */
  query: number[] | undefined;
}

/**
 * LEGO's prompt (FastChat "single" style, docs/bundle-format.md):
 * `{system}###Human: {media}{q1}###Assistant: {a1}###Human: {q2}###Assistant:`
 * with the media placeholder before the first user turn, user text sanitised, and — when the
 * conversation does not fit the context — the oldest turns dropped first.
 */
export class LegoPrompt {
  constructor(
    private readonly manifest: BundleManifest,
    private readonly tokenizer: LegoTokenizer,
  ) {}

  /**
   * `start + patch × tokens + end + "\n"` for each kind, in the order given ('' for a kind the bundle
   * has not): an image's or a video's first, then a sound's (LEGO's order).
   */
  placeholder(media: PromptMedia): string {
    let out = '';
    for (const kind of kindsOf(media)) {
      const m = this.manifest.media[kind];
      if (m !== null) out += m.start + m.patch.repeat(m.tokens) + m.end + '\n';
    }
    return out;
  }

  /** The prompt text of `turns`, ending with the assistant's open turn. */
  text(turns: readonly Turn[], media: PromptMedia): string {
    const p = this.manifest.prompt;
    const placeholder = this.placeholder(media);
    let out = p.system + p.sep;
    let placed = false;
    for (const t of turns) {
      if (t.role === 'user') {
        const prefix = placed ? '' : placeholder;
        placed = true;
        out += `${p.user_role}: ${prefix}${this.tokenizer.sanitize(t.text)}${p.sep}`;
      } else {
        out += `${p.assistant_role}: ${this.tokenizer.sanitize(t.text.trimStart())}${p.sep}`;
      }
    }
    return out + `${p.assistant_role}:`;
  }

  /** The fusion query: the user turns latest first, sanitised, joined by the separator token, cut. */
  query(turns: readonly Turn[]): number[] | undefined {
    const f = this.manifest.fusion;
    if (f === null) return undefined;
    const sepId = this.tokenizer.tokenId(f.separator);
    const ids: number[] = [];
    const users = turns.filter((t) => t.role === 'user').reverse();
    for (let i = 0; i < users.length; i += 1) {
      if (i > 0 && sepId !== undefined) ids.push(sepId);
      ids.push(...this.tokenizer.encode(this.tokenizer.sanitize(users[i]!.text)));
      if (ids.length >= f.max_tokens) break;
    }
    return ids.slice(0, f.max_tokens);
  }

  /**
   * Builds the prompt for `turns` (the last one is the user's question) within the context window.
   * Keeps room for `wantNew` tokens, or a quarter of the window when that is less: drops the oldest
   * turns (a user turn with its answer) first; if the last question alone is still too long, cuts its
   * beginning. Throws LegoError('context-overflow') only when even an empty question does not fit.
   */
  build(turns: readonly Turn[], media: PromptMedia, wantNew: number): BuiltPrompt {
    const maxPositions = this.manifest.decoder.max_positions;
    const reserve = Math.max(1, Math.min(wantNew, Math.ceil(maxPositions / 4)));
    // room after a prompt of n tokens: positions 0..maxPositions-1; the last generated token is not fed back
    const roomAfter = (n: number): number => maxPositions - n + 1;
    let start = this.estimatedStart(turns, media, maxPositions + 1 - reserve);
    for (;;) {
      const kept = turns.slice(start);
      const text = this.text(kept, media);
      const ids = this.tokenizer.encode(text);
      const lastQuestion = kept.length === 1;
      if (roomAfter(ids.length) >= reserve || lastQuestion) {
        if (roomAfter(ids.length) >= 1) {
          return this.result(text, ids, kept, start, 0, roomAfter(ids.length));
        }
        return this.truncateQuestion(kept, media, start, reserve);
      }
      // drop the oldest user turn with everything up to the next user turn
      start += 1;
      while (start < turns.length - 1 && turns[start]!.role !== 'user') start += 1;
    }
  }

  /**
   * Where the exact loop of build() starts: each turn is tokenised once on its own (linear in the
   * conversation, where re-tokenising the whole prompt for every dropped turn was quadratic: 200
   * turns of 1 KB took 3.9 s), the newest turns are counted back until `budget` is passed, and the
   * loop starts one user turn earlier than that estimate (its own tokens may differ by a few at the
   * joins), so it encodes the full prompt only a couple of times and keeps as many turns as before.
   */
  private estimatedStart(turns: readonly Turn[], media: PromptMedia, budget: number): number {
    if (turns.length <= 2) return 0;
    const userStarts: number[] = [];
    turns.forEach((t, i) => {
      if (i === 0 || (t.role === 'user' && i < turns.length - 1)) userStarts.push(i);
    });
    const frame = this.tokenizer.encode(this.text([], undefined)).length;
    let used = frame + this.tokenizer.encode(this.placeholder(media)).length;
    let fitting = turns.length - 1;
    for (let i = turns.length - 1; i >= 0; i -= 1) {
      used += this.tokenizer.encode(this.text([turns[i]!], undefined)).length - frame;
      if (used > budget) break;
      fitting = i;
    }
    // the user turn at or after `fitting`, then one user turn earlier for slack
    const at = userStarts.findIndex((s) => s >= fitting);
    const index = at < 0 ? userStarts.length - 1 : at;
    return userStarts[Math.max(0, index - 1)] ?? 0;
  }

  private truncateQuestion(kept: readonly Turn[], media: PromptMedia, dropped: number, reserve: number): BuiltPrompt {
    const maxPositions = this.manifest.decoder.max_positions;
    const last = kept[kept.length - 1]!;
    const prior = kept.slice(0, -1);
    const attempt = (chars: number): { text: string; ids: number[]; turns: Turn[] } => {
      const turns = [...prior, { role: last.role, text: last.text.slice(last.text.length - chars) }];
      const text = this.text(turns, media);
      return { text, ids: this.tokenizer.encode(text), turns };
    };
    const roomWithout = maxPositions - attempt(0).ids.length + 1;
    if (roomWithout < 1) {
      throw new LegoError('context-overflow', `the prompt without the question is longer than the context (${maxPositions} positions)`, {
        retryable: false,
      });
    }
    const target = Math.min(reserve, roomWithout);
    const fits = (n: number): boolean => maxPositions - n + 1 >= target;
    // gallop from the end of the question, then bisect: the encodes stay near the size that fits,
    // not the size of the question (a 52 MB question was encoded whole 26 times)
    let lo = 0;
    let hi = last.text.length;
    for (let step = 64; step < last.text.length; step *= 2) {
      if (!fits(attempt(step).ids.length)) {
        hi = step - 1;
        break;
      }
      lo = step;
    }
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(attempt(mid).ids.length)) lo = mid;
      else hi = mid - 1;
    }
    const best = attempt(lo);
    return this.result(best.text, best.ids, best.turns, dropped, last.text.length - lo, maxPositions - best.ids.length + 1);
  }

  private result(text: string, ids: number[], turns: readonly Turn[], dropped: number, truncatedChars: number, room: number): BuiltPrompt {
    return { text, ids, turns: [...turns], droppedTurns: dropped, truncatedChars, room, query: this.query(turns) };
  }
}
