import { applyRetention } from '../../src/conversation/retention-policy';
import { estimateTokens, selectRequestTurns } from '../../src/conversation/request-turns';
import { createConversationRecord } from '../../src/conversation/record';
import type { ConversationRecord, Region, StoredTurn } from '../../src/conversation/record';
import { HASH_A } from './session-settings';

function turn(id: number, role: 'user' | 'assistant', text: string, mediaId: number | null = 1, crop: StoredTurn['crop'] = null): StoredTurn {
  return { id, role, text, prompt: null, mediaId, crop, clip: null, regions: [], at: id };
}

function exchanges(n: number, mediaId: number | null = 1): StoredTurn[] {
  const out: StoredTurn[] = [];
  for (let i = 0; i < n; i += 1) out.push(turn(2 * i + 1, 'user', `question ${i}`, mediaId), turn(2 * i + 2, 'assistant', `answer ${i}`, mediaId));
  return out;
}

describe('selectRequestTurns', () => {
  const budget = { tokenBudget: 10_000, charsPerToken: 4 };

  test('history of the same media, alternating, ending with the question', () => {
    const turns = [...exchanges(2), turn(5, 'user', 'now?')];
    expect(selectRequestTurns(turns, budget)).toEqual({
      turns: [
        { role: 'user', text: 'question 0' }, { role: 'assistant', text: 'answer 0' },
        { role: 'user', text: 'question 1' }, { role: 'assistant', text: 'answer 1' },
        { role: 'user', text: 'now?' },
      ],
      droppedTurns: 0,
    });
  });

  test('drops the oldest exchanges beyond the token budget, keeps the question', () => {
    const turns = [...exchanges(10), turn(21, 'user', 'now?')];
    const perExchange = estimateTokens('question 0', 4) + estimateTokens('answer 0', 4);
    const result = selectRequestTurns(turns, { tokenBudget: estimateTokens('now?', 4) + 3 * perExchange, charsPerToken: 4 });
    expect(result.droppedTurns).toBe(14);
    expect(result.turns.map((t) => t.text)).toEqual(['question 7', 'answer 7', 'question 8', 'answer 8', 'question 9', 'answer 9', 'now?']);
    expect(selectRequestTurns(turns, { tokenBudget: 1, charsPerToken: 4 }).turns).toEqual([{ role: 'user', text: 'now?' }]);
  });

  test('skips other media, unanswered questions and crop turns; uses the rewritten prompt', () => {
    const crop = { x: 0, y: 0, width: 10, height: 10 };
    const turns = [
      ...exchanges(1, 2),
      turn(3, 'user', 'lost question'),
      turn(4, 'user', 'q'), turn(5, 'assistant', 'a'),
      turn(6, 'user', 'zoom into 1', 1, crop), turn(7, 'assistant', 'crop answer', 1, crop),
      { ...turn(8, 'user', 'what is in box 1?'), prompt: 'What is in [0.1, 0.1, 0.2, 0.2]?' },
    ];
    expect(selectRequestTurns(turns, budget).turns.map((t) => t.text)).toEqual(['q', 'a', 'What is in [0.1, 0.1, 0.2, 0.2]?']);
    expect(selectRequestTurns(turns.slice(0, 6), budget).turns.map((t) => t.text)).toEqual(['zoom into 1']);
  });

  test('the last turn must be a question', () => {
    expect(() => selectRequestTurns(exchanges(1), budget)).toThrow(RangeError);
  });
});

describe('applyRetention', () => {
  function record(turns: StoredTurn[], regions: Region[] = []): ConversationRecord {
    const media = [1, 2, 3].map((id) => ({
      id, kind: 'image' as const, hash: HASH_A, mime: 'image/png', size: { width: 1, height: 1 }, durationSec: null,
      source: { type: 'url' as const, url: 'u' }, name: null, sound: null, addedAt: 0,
    }));
    return { ...createConversationRecord('k', 0), turns, regions, media, activeMediaId: 3 };
  }

  test('drops whole exchanges from the front, never leaving an answer first', () => {
    const { record: kept, droppedTurns } = applyRetention(record([turn(1, 'user', 'x'), ...exchanges(3).map((t) => ({ ...t, id: t.id + 1 }))]), { maxTurns: 4, maxRegions: 10 });
    expect(droppedTurns).toBe(3);
    expect(kept.turns[0]?.role).toBe('user');
    expect(kept.turns).toHaveLength(4);
  });

  test('keeps the newest regions and the media still referred to', () => {
    const region = (number: number, mediaId: number): Region => ({ kind: 'box', number, label: null, mediaId, turnId: 1, answerIndex: 1, box: { x1: 0, y1: 0, x2: 1, y2: 1 }, pixels: null });
    const input = record(exchanges(1, 2), [region(1, 1), region(2, 2), region(3, 2)]);
    const { record: kept } = applyRetention(input, { maxTurns: 10, maxRegions: 2 });
    expect(kept.regions.map((r) => r.number)).toEqual([2, 3]);
    expect(kept.media.map((m) => m.id)).toEqual([2, 3]);
    expect(input.regions).toHaveLength(3); // input untouched
  });

  test('returns the same record when nothing is dropped', () => {
    const input = record(exchanges(1, 3));
    input.media = input.media.filter((m) => m.id === 3);
    expect(applyRetention(input, { maxTurns: 10, maxRegions: 10 }).record).toBe(input);
  });
});
