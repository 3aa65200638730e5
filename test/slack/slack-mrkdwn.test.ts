import { escapeMrkdwn, splitForSlack, SLACK_SECTION_LIMIT } from '../../adapters/slack/slack-mrkdwn';

describe('escapeMrkdwn', () => {
  it('escapes the three characters Slack reads as markup, and nothing else', () => {
    expect(escapeMrkdwn('<!channel> a & b <@U1> x > y [1] *bold*')).toBe('&lt;!channel&gt; a &amp; b &lt;@U1&gt; x &gt; y [1] *bold*');
  });
});

describe('splitForSlack', () => {
  it('keeps a short text whole', () => {
    expect(splitForSlack('The red star [1].')).toEqual(['The red star [1].']);
    expect(splitForSlack('   ')).toEqual([]);
  });

  it('cuts a long answer under the limit at paragraph, then sentence, then word boundaries, losing no words', () => {
    const paragraph = 'The red star [1] is above the blue circle [2]. '.repeat(40).trim();
    const text = [paragraph, paragraph, paragraph].join('\n\n');
    const pieces = splitForSlack(text, 3000);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(3000);
    expect(pieces.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
    // every cut ends a sentence
    for (const piece of pieces.slice(0, -1)) expect(piece).toMatch(/\.$/);
  });

  it('cuts a text without spaces hard, but never inside an entity', () => {
    const text = `${'a'.repeat(2996)}&amp;${'b'.repeat(100)}`;
    const pieces = splitForSlack(text, 3000);
    expect(pieces[0]).toBe('a'.repeat(2996));
    expect(pieces[1]?.startsWith('&amp;')).toBe(true);
    expect(pieces.join('')).toBe(text);
  });

  it('defaults to the section-block limit', () => {
    const pieces = splitForSlack('word '.repeat(2000));
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(SLACK_SECTION_LIMIT);
  });
});
