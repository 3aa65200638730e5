import { BoundedLru } from '../src/bounded-lru';

describe('BoundedLru', () => {
  it('keeps the most recently used entries up to its count; get refreshes, peek and has do not', () => {
    const lru = new BoundedLru<string, number>({ maxEntries: 2 });
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the newest
    lru.set('c', 3);
    expect(lru.has('b')).toBe(false);
    expect(lru.peek('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
    lru.set('d', 4); // a was only peeked: it goes
    expect([...lru.entries()].map(([k]) => k)).toEqual(['c', 'd']);
    const none = new BoundedLru<string, number>({ maxEntries: 0 });
    expect(none.set('a', 1)).toBe(false);
    expect(none.size).toBe(0);
  });

  it('bounds the total size a size function measures, and refuses an entry larger than the budget', () => {
    const evicted: string[] = [];
    const lru = new BoundedLru<string, Buffer>({ maxSize: 10, sizeOf: (b) => b.length, onEvict: (k, _v, why) => evicted.push(`${k}:${why}`) });
    lru.set('a', Buffer.alloc(4));
    lru.set('b', Buffer.alloc(4));
    expect(lru.totalSize).toBe(8);
    lru.set('c', Buffer.alloc(5));
    expect(evicted).toEqual(['a:full']);
    expect(lru.totalSize).toBe(9);
    expect(lru.set('huge', Buffer.alloc(11))).toBe(false);
    expect(lru.has('huge')).toBe(false);
    lru.set('b', Buffer.alloc(1)); // replacing counts the new size only
    expect(lru.totalSize).toBe(6);
    lru.deleteWhere((v) => v.length === 5);
    expect(lru.totalSize).toBe(1);
  });

  it('forgets entries older than the time-to-live', () => {
    let now = 1000;
    const lru = new BoundedLru<string, string>({ ttlMs: 100, now: () => now });
    lru.set('a', 'x');
    now += 50;
    expect(lru.get('a')).toBe('x');
    now += 60; // 110 ms after it was set (reads do not extend it)
    expect(lru.get('a')).toBeUndefined();
    expect(lru.size).toBe(0);
  });
});
