import { openStoreBackend } from '../../src/conversation/store-backend';

describe('the memory store keeps uploads within a byte budget', () => {
  it('drops the least recently used blobs once their bytes pass memoryBlobBytes', async () => {
    const backend = await openStoreBackend({
      store: { kind: 'memory', namespace: 'budget', timeoutMs: 1000 },
      idleTtlMs: 60_000,
      blobTtlMs: 60_000,
      maxBlobBytes: 1_000_000,
      memoryBlobBytes: 1_000_000, // ~750 KB of bytes as base64
    });
    try {
      const refs = [];
      for (let i = 0; i < 4; i += 1) refs.push(await backend.blobs.put(Buffer.alloc(300_000, i + 1), 'image/jpeg'));
      const kept = await Promise.all(refs.map((ref) => backend.blobs.get(ref.key)));
      expect(kept.map((blob) => blob !== undefined)).toEqual([false, false, true, true]);
      expect(kept[3]?.bytes.equals(Buffer.alloc(300_000, 4))).toBe(true);
    } finally {
      await backend.close();
    }
  });
});
