import type { Turn } from '../engine/types';
import type { StoredTurn } from './record';

export interface TokenBudget {
  /** approximate tokens of conversation text to send */
  tokenBudget: number;
  /** characters per token used for the estimate */
  charsPerToken: number;
}

/** Rough token count: characters / charsPerToken, plus a few for the `###Human: ` / `###Assistant: ` markers. */
export function estimateTokens(text: string, charsPerToken: number): number {
  return Math.ceil(text.length / charsPerToken) + 4;
}

export interface RequestTurns {
  /** alternating user/assistant, ending with the question; model frame */
  turns: Turn[];
  /** earlier exchanges of this media context left out to stay within the budget */
  droppedTurns: number;
}

function modelText(turn: StoredTurn): string {
  return turn.role === 'user' ? (turn.prompt ?? turn.text) : turn.text;
}

/**
 * The turns to send with the last (user) turn of `turns`:
 * - only turns of the same media context as the question — the model sees one media at a time, and
 *   earlier contexts' boxes are in another image's frame;
 * - a question asked on a crop or a stretch of a video (zoom) goes alone, and those turns are never
 *   history for the full media (their boxes and spans are in the crop's or the stretch's frame);
 * - whole exchanges (question + answer), newest first, while the estimate stays within the budget;
 *   a question that was never answered is skipped. The question itself is always sent.
 * Throws RangeError when the last turn is not a user turn.
 */
export function selectRequestTurns(turns: readonly StoredTurn[], budget: TokenBudget): RequestTurns {
  const question = turns[turns.length - 1];
  if (question === undefined || question.role !== 'user') throw new RangeError('the last turn must be the question (a user turn)');
  const asked: Turn = { role: 'user', text: modelText(question) };
  if (question.crop !== null || question.clip !== null) return { turns: [asked], droppedTurns: 0 };

  let used = estimateTokens(asked.text, budget.charsPerToken);
  const kept: Turn[] = [];
  let dropped = 0;
  let full = false;
  for (let i = turns.length - 2; i >= 1; i -= 1) {
    const answer = turns[i] as StoredTurn;
    const prior = turns[i - 1] as StoredTurn;
    if (answer.role !== 'assistant' || prior.role !== 'user') continue;
    if (answer.mediaId !== question.mediaId || prior.mediaId !== question.mediaId) continue;
    if (answer.crop !== null || prior.crop !== null || answer.clip !== null || prior.clip !== null) continue;
    i -= 1;
    const cost = estimateTokens(modelText(prior), budget.charsPerToken) + estimateTokens(answer.text, budget.charsPerToken);
    if (full || used + cost > budget.tokenBudget) {
      full = true;
      dropped += 2;
      continue;
    }
    used += cost;
    kept.push({ role: 'assistant', text: answer.text }, { role: 'user', text: modelText(prior) });
  }
  kept.reverse();
  kept.push(asked);
  return { turns: kept, droppedTurns: dropped };
}
