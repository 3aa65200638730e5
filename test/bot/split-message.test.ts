import fc from 'fast-check';
import { splitMessage } from '../../src/bot/split-message';

const squash = (text: string): string => text.replace(/```[^\n`]*\n?/g, '').replace(/\s+/g, '');

describe('splitMessage', () => {
  it('keeps a message that fits whole', () => {
    expect(splitMessage('Short answer [1].')).toEqual(['Short answer [1].']);
  });

  it('cuts at a paragraph before a line, at a sentence before a word', () => {
    const para = 'A'.repeat(60) + '.\n\n' + 'B'.repeat(60) + '.';
    expect(splitMessage(para, 100)).toEqual(['A'.repeat(60) + '.', 'B'.repeat(60) + '.']);
    const sentences = 'One thing is here. ' + 'Another thing follows it closely and goes on for a while. ' + 'Third.';
    const chunks = splitMessage(sentences, 70);
    expect(chunks[0]).toBe('One thing is here.');
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(70);
  });

  it('never cuts inside a [n] reference, even where only a hard cut is possible', () => {
    const text = 'x'.repeat(62) + '[12]' + 'y'.repeat(80);
    const chunks = splitMessage(text, 64);
    expect(chunks.join('')).toBe(text);
    for (const chunk of chunks) expect(chunk).not.toMatch(/\[\d*$|^\d*\]/);
  });

  it('keeps a code block whole when it fits, and closes and reopens one that does not', () => {
    const code = '```ts\n' + Array.from({ length: 30 }, (_, i) => `const value${i} = ${i};`).join('\n') + '\n```';
    const text = 'Here is code:\n\n' + code + '\n\nDone.';
    const chunks = splitMessage(text, 200);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(200);
      expect((chunk.match(/```/g) ?? []).length % 2).toBe(0);
    }
    expect(chunks.filter((c) => c.startsWith('```ts\n')).length).toBeGreaterThan(1);
    expect(squash(chunks.join('\n'))).toBe(squash(text));
  });

  it('property: pieces fit, keep every character, and no [n] is split', () => {
    const word = fc.oneof(
      fc.constantFrom('the', 'red', 'square', 'is', 'left.', 'Box', 'and\n', '\n\n', 'circle,', '(blue)', 'over!'),
      fc.integer({ min: 1, max: 120 }).map((n) => `[${n}]`),
      fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !s.includes('`') && !/\s/.test(s) && !s.includes('[') && !s.includes(']')),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 400 }), fc.integer({ min: 64, max: 400 }), (words, limit) => {
        const text = words.join(' ');
        const chunks = splitMessage(text, limit);
        for (const chunk of chunks) {
          expect(chunk.length).toBeLessThanOrEqual(limit);
          expect(chunk).not.toMatch(/\[\d+$|^\d+\]/);
        }
        expect(squash(chunks.join(''))).toBe(squash(text));
      }),
      { numRuns: 300 },
    );
  });
});
