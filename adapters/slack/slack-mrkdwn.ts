/**
 * Slack text: mrkdwn escaping and splitting long answers under Slack's limits. Slack reads `&`, `<`
 * and `>` as markup (`<@U123>`, `<!channel>`, links), so answer text is escaped before it is sent;
 * a message's `text` may hold 40,000 characters and a section block 3,000, so a long answer becomes
 * several messages, cut at paragraph, line, sentence or word boundaries.
 */

/** Slack's limit on one section block's text; every message the bot sends stays under it. */
export const SLACK_SECTION_LIMIT = 3000;
/** Slack's limit on a message's `text`. */
export const SLACK_TEXT_LIMIT = 40_000;

/** Escape the three characters Slack treats as markup. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Where to cut `text` so that the first piece has at most `limit` characters. */
function cutPoint(text: string, limit: number): number {
  const window = text.slice(0, limit + 1);
  const floor = Math.floor(limit / 2);
  for (const pattern of [/\n\s*\n/g, /\n/g, /[.!?]\s/g, /\s/g]) {
    let best = -1;
    for (const match of window.matchAll(pattern)) {
      const end = (match.index ?? 0) + match[0].length;
      if (end <= limit && end >= floor) best = end;
    }
    if (best > 0) return best;
  }
  // no boundary in the second half: cut hard, but never inside an entity such as `&amp;`
  const entity = window.lastIndexOf('&', limit);
  if (entity > limit - 6 && entity > 0 && !window.slice(entity, limit).includes(';')) return entity;
  return limit;
}

/** Split (already escaped) text into pieces of at most `limit` characters, none empty. */
export function splitForSlack(text: string, limit = SLACK_SECTION_LIMIT): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const at = cutPoint(rest, limit);
    const piece = rest.slice(0, at).trimEnd();
    if (piece !== '') pieces.push(piece);
    rest = rest.slice(at).trimStart();
  }
  if (rest !== '') pieces.push(rest);
  return pieces;
}
