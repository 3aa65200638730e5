import { numberGrounding } from '../../src/bot/numbered-text';
import { PreparedMediaCache } from '../../src/bot/prepared-media-cache';
import type { PreparedEntry } from '../../src/bot/prepared-media-cache';

describe('numberGrounding', () => {
  it('replaces boxes and spans by their region numbers, in order, mixed', () => {
    const text = 'The star [0.100, 0.200, 0.300, 0.400] lights up {0.10, 0.35} next to the cup [0.5,0.5,0.9,0.9].';
    expect(numberGrounding(text, { boxes: [4, 2], spans: [7] })).toBe('The star [4] lights up [7] next to the cup [2].');
  });

  it('leaves text without coordinates alone', () => {
    expect(numberGrounding('No boxes [here], 3 of them.', { boxes: [], spans: [] })).toBe('No boxes [here], 3 of them.');
  });

  it('partial text: holds back an unfinished coordinate and numbers new boxes from `next`', () => {
    expect(numberGrounding('The star [0.100, 0.2', { boxes: [], spans: [] }, { partial: true, next: 3 })).toBe('The star');
    expect(numberGrounding('The star [0.100, 0.200, 0.300, 0.400] and {0.1', { boxes: [], spans: [] }, { partial: true, next: 3 })).toBe(
      'The star [3] and',
    );
    expect(numberGrounding('a [0.1, 0.2, 0.3, 0.4] b [0.5, 0.5, 0.6, 0.6]', { boxes: [], spans: [] }, { partial: true, next: 5 })).toBe('a [5] b [6]');
  });
});

describe('PreparedMediaCache', () => {
  const entry = (n: number): PreparedEntry => ({ prepared: { kind: 'image', size: { width: n, height: n }, pixelValues: new Float32Array(1) } });

  it('keeps the most recently used entries up to its limit', () => {
    const cache = new PreparedMediaCache(2);
    cache.set('a', entry(1));
    cache.set('b', entry(2));
    expect(cache.get('a')?.prepared.size.width).toBe(1); // a is now the newest
    cache.set('c', entry(3));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    const none = new PreparedMediaCache(0);
    none.set('a', entry(1));
    expect(none.size).toBe(0);
  });
});
