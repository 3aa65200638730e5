import { heldOnce } from '../../src/conversation/content-hash';
import { MemoryBlobStore } from '../../src/conversation/memory-blob-store';

/** A photo-sized array of distinct content per seed (large enough to be remembered). */
function photoBytes(seed: number, length = 300_000): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) bytes[i] = (i * 31 + seed * 7) & 0xff;
  return bytes;
}

describe('the same bytes held once (heldOnce)', () => {
  it('returns the array already alive with the same content, and the new one when none is', () => {
    const first = photoBytes(1);
    expect(heldOnce(first)).toBe(first);
    const again = Buffer.from(first); // the same photo sent again: another copy of the same bytes
    expect(again).not.toBe(first);
    expect(heldOnce(again)).toBe(first);
    const other = photoBytes(2);
    expect(heldOnce(other)).toBe(other);
  });

  it('never hands back different bytes: same length, same content hash, or the array itself', () => {
    const a = photoBytes(3);
    heldOnce(a);
    const longer = photoBytes(3, 300_001);
    expect(heldOnce(longer)).toBe(longer);
    const changed = Buffer.from(a);
    changed[100] = changed[100]! ^ 1;
    expect(heldOnce(changed)).toBe(changed);
  });

  it('leaves small arrays alone (cheaper to hash and copy than to track)', () => {
    const small = Buffer.alloc(1000, 5);
    heldOnce(small);
    const copy = Buffer.from(small);
    expect(heldOnce(copy)).toBe(copy);
  });

  it('forgets an array once it is collected (weakly held: it keeps nothing alive)', async () => {
    if (typeof global.gc !== 'function') {
      // the suite runs without --expose-gc: collect through v8's own flag instead
      const v8 = await import('node:v8');
      const vm = await import('node:vm');
      v8.setFlagsFromString('--expose-gc');
      (global as { gc?: () => void }).gc = vm.runInNewContext('gc') as () => void;
    }
    (() => {
      heldOnce(photoBytes(9));
    })();
    for (let i = 0; i < 5; i += 1) {
      global.gc!();
      await new Promise((done) => setTimeout(done, 10));
    }
    const fresh = photoBytes(9);
    expect(heldOnce(fresh)).toBe(fresh);
  });
});

describe('the memory blob store keeps one copy of a photo sent twice', () => {
  it('a second put of the same bytes keeps the array it already holds', async () => {
    const store = new MemoryBlobStore({ ttlMs: 60_000, maxBytes: 1_000_000, maxTotalBytes: 1_000_000 });
    const first = photoBytes(4);
    const ref1 = await store.put(first, 'image/jpeg');
    const ref2 = await store.put(Buffer.from(first), 'image/jpeg');
    expect(ref2).toEqual(ref1);
    expect((await store.get(ref1.key))?.bytes).toBe(first);
    expect(store.totalBytes).toBe(first.length);
  });
});
