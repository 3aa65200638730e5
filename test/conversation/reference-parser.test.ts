import { parseReferences } from '../../src/conversation/reference-parser';

describe('parseReferences', () => {
  const cases: Array<[string, string, number[], string]> = [
    ['what is in box 2?', 'ask-region', [2], 'what is in?'],
    ['What colour is box #2?', 'ask-region', [2], 'What colour is?'],
    ['describe region 2', 'ask-region', [2], 'describe'],
    ['what is [2]?', 'ask-region', [2], 'what is?'],
    ['and #3?', 'ask-region', [3], 'and?'],
    ['is box two red?', 'ask-region', [2], 'is red?'],
    ['zoom into 1', 'zoom', [1], ''],
    ['zoom in on box 3', 'zoom', [3], ''],
    ['zoom into the box 2', 'zoom', [2], ''],
    ['Zoom in on [4] please', 'zoom', [4], ''],
    ['can you zoom into box 1 and tell me its colour?', 'zoom', [1], 'tell me its colour?'],
    ['compare 1 and 3', 'compare', [1, 3], ''],
    ['compare box 1 with box 3 by size', 'compare', [1, 3], 'by size'],
    ['compare 1, 2 and 5', 'compare', [1, 2, 5], ''],
    ['what happens in span 2?', 'ask-span', [2], 'what happens in?'],
    ['what happens during segment 4', 'ask-span', [4], 'what happens during'],
    ['are boxes 1 and 3 the same colour?', 'ask-region', [1, 3], 'are the same colour?'],
    ['is box 1, 2 or 4 bigger?', 'ask-region', [1, 2, 4], 'is bigger?'],
    ['what is between box 1 and span 2', 'ask-region', [1, 2], 'what is between'],
  ];
  test.each(cases)('%s', (text, kind, refs, rest) => {
    const intent = parseReferences(text);
    expect(intent).not.toBeNull();
    expect(intent?.kind).toBe(kind);
    expect(intent?.refs).toEqual(refs);
    expect(intent?.rest).toBe(rest);
  });

  test.each([
    'zoom into the left one',
    'zoom into the one on the right',
    'what is the left one?',
    'how many 2-door cars are there?',
    'compare the two boxes',
    'is the inbox 2 days old',
    'What is in [0.112, 0.430, 0.251, 0.618]?',
    'zoom in',
    'C#2 is a language',
  ])('no reference in %s', (text) => {
    expect(parseReferences(text)).toBeNull();
  });

  test('phrases keep their place in the text and their hints', () => {
    const intent = parseReferences('is box 1 before span 2?');
    expect(intent?.phrases.map((p) => 'is box 1 before span 2?'.slice(p.start, p.end))).toEqual(['box 1', 'span 2']);
    expect(intent?.phrases.flatMap((p) => p.items)).toEqual([
      { number: 1, hint: 'box' },
      { number: 2, hint: 'span' },
    ]);
  });

  test('repeated numbers are listed once', () => {
    expect(parseReferences('box 2 and [2]')?.refs).toEqual([2]);
  });
});
