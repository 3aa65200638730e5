import type { PreparedEntry } from '../../src/bot/prepared-media-cache';
import { preparedEntryBytes, preparedMediaCache } from '../../src/bot/prepared-media-cache';
import { appSections } from '../../src/cli/commands';
import { loadConfig } from '../../src/config/load-config';

function photoEntry(fileBytes: number): PreparedEntry {
  return { prepared: { kind: 'image', size: { width: 4000, height: 3000 }, pixelValues: new Float32Array(3 * 96 * 96) }, bytes: Buffer.alloc(fileBytes) };
}

describe('the prepared-media cache has a byte budget', () => {
  it('counts the tensor, the original file and sampled frames', () => {
    expect(preparedEntryBytes(photoEntry(5_000_000))).toBe(5_000_000 + 3 * 96 * 96 * 4);
    const video: PreparedEntry = {
      prepared: { kind: 'video', size: { width: 1920, height: 1080 }, durationSec: 60, pixelValues: new Float32Array(16 * 3 * 48 * 48), frameTimes: [] },
      frames: [{ time: 1, image: { data: Buffer.alloc(320 * 180 * 3), width: 320, height: 180, channels: 3 } }],
    };
    expect(preparedEntryBytes(video)).toBe(16 * 3 * 48 * 48 * 4 + 320 * 180 * 3);
  });

  it('drops the least recently used photos when their bytes pass the budget, whatever the entry count', () => {
    const cache = preparedMediaCache(100, 12_000_000);
    cache.set('image:a', photoEntry(5_000_000));
    cache.set('image:b', photoEntry(5_000_000));
    cache.get('image:a');
    cache.set('image:c', photoEntry(5_000_000));
    expect([cache.has('image:a'), cache.has('image:b'), cache.has('image:c')]).toEqual([true, false, true]);
    expect(cache.totalSize).toBeLessThanOrEqual(12_000_000);
  });

  it('takes its budgets from the config schema (one source of defaults)', () => {
    const { config } = loadConfig({ sections: appSections(), env: {} });
    expect(config.bot.preparedCacheBytes).toBe(64 * 1024 * 1024);
    expect(config.web.maxStoredUploadBytes).toBeGreaterThanOrEqual(config.media.maxVideoBytes);
    expect(config.web.maxStoredFileBytes).toBe(32 * 1024 * 1024);
    expect(config.media.decodeMemoryBytes).toBe(256 * 1024 * 1024);
    expect(config.conversation.memoryBlobBytes).toBe(128 * 1024 * 1024);
    const set = loadConfig({ sections: appSections(), env: { LEGO_BOT_PREPARED_CACHE_BYTES: '1000', LEGO_WEB_MAX_STORED_FILE_BYTES: '2000' } }).config;
    expect([set.bot.preparedCacheBytes, set.web.maxStoredFileBytes]).toEqual([1000, 2000]);
  });
});
