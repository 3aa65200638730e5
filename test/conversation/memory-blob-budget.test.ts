import { openStoreBackend } from '../../src/conversation/store-backend';

async function memoryBackend(memoryBlobBytes: number) {
  return openStoreBackend({
    store: { kind: 'memory', namespace: 'budget', timeoutMs: 1000 },
    idleTtlMs: 60_000,
    blobTtlMs: 60_000,
    maxBlobBytes: 1_000_000,
    memoryBlobBytes,
  });
}

describe('the memory store keeps uploads within a byte budget', () => {
  it('drops the least recently used blobs once their bytes pass memoryBlobBytes', async () => {
    const backend = await memoryBackend(1_000_000);
    try {
      const refs = [];
      for (let i = 0; i < 4; i += 1) refs.push(await backend.blobs.put(Buffer.alloc(300_000, i + 1), 'image/jpeg'));
      const kept = await Promise.all(refs.map((ref) => backend.blobs.get(ref.key)));
      // the bytes count as bytes (not as base64 text): three of 300 KB fit in 1 MB
      expect(kept.map((blob) => blob !== undefined)).toEqual([false, true, true, true]);
      expect(kept[3]?.bytes.equals(Buffer.alloc(300_000, 4))).toBe(true);
      expect(kept[3]?.mime).toBe('image/jpeg');
    } finally {
      await backend.close();
    }
  });

  it('keeps the upload itself, not a copy: an adapter holding the same bytes costs no second copy', async () => {
    const backend = await memoryBackend(1_000_000);
    try {
      const upload = Buffer.alloc(200_000, 7);
      const ref = await backend.blobs.put(upload, 'image/png');
      const blob = await backend.blobs.get(ref.key);
      expect(blob?.bytes.buffer).toBe(upload.buffer);
      expect(ref).toEqual({ key: expect.stringMatching(/^[0-9a-f]{64}$/), mime: 'image/png', byteLength: 200_000 });
      await expect(backend.blobs.put(Buffer.alloc(1_000_001), 'image/png')).rejects.toMatchObject({ code: 'too-large' });
      expect(await backend.blobs.delete(ref.key)).toBe(true);
      expect(await backend.blobs.get(ref.key)).toBeUndefined();
    } finally {
      await backend.close();
    }
  });
});
