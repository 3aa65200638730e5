import type { ConversationRecord } from './record';

export interface RetentionLimits {
  /** turns kept; at least 2 */
  maxTurns: number;
  /** numbered regions kept */
  maxRegions: number;
}

/**
 * What a stored conversation keeps, applied before every save:
 * 1. Turns: at most `maxTurns`. The oldest go first, a whole exchange at a time (a question and the
 *    answer that follows it), so the history never starts with an answer.
 * 2. Regions: at most `maxRegions`; the lowest numbers go first. Numbers are never reused, and a
 *    region outlives the turn that showed it while it is within the limit.
 * 3. Media contexts: kept while a kept turn or region refers to them, or while current.
 * Returns a new record (the input is not changed) and how many turns were dropped.
 */
export function applyRetention(record: ConversationRecord, limits: RetentionLimits): { record: ConversationRecord; droppedTurns: number } {
  const maxTurns = Math.max(2, limits.maxTurns);
  let first = 0;
  while (record.turns.length - first > maxTurns) {
    first += 1;
    while (first < record.turns.length && record.turns[first]?.role === 'assistant') first += 1;
  }
  const turns = first === 0 ? record.turns : record.turns.slice(first);
  const regions =
    record.regions.length > limits.maxRegions
      ? [...record.regions].sort((a, b) => a.number - b.number).slice(record.regions.length - limits.maxRegions)
      : record.regions;
  const used = new Set<number | null>([record.activeMediaId, ...turns.map((t) => t.mediaId), ...regions.map((r) => r.mediaId)]);
  const media = record.media.filter((m) => used.has(m.id));
  if (first === 0 && regions === record.regions && media.length === record.media.length) {
    return { record, droppedTurns: 0 };
  }
  return {
    record: { ...record, turns, regions, media, droppedTurns: record.droppedTurns + first },
    droppedTurns: first,
  };
}
