import { MediaLoader } from '../../src/bot/media-loader';
import * as preparation from '../../src/media/prepare-for-engine';
import { preparedEntryBytes } from '../../src/bot/prepared-media-cache';
import { contentHash } from '../../src/conversation/content-hash';
import type { MediaSpec } from '../../src/engine/types';
import { DEFAULT_MEDIA_OPTIONS } from '../../src/media/options';
import { prepareImage } from '../../src/media/prepare-image';
import { replyPictureSize } from '../../src/render/render-boxes';
import { orientedJpeg } from '../media/image-fixtures';

const SPEC: MediaSpec = {
  image: { size: 96, padRgb: [122, 116, 104], mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
  video: null,
  audio: null,
};

function loader(displaySide?: number): MediaLoader {
  return new MediaLoader({
    spec: SPEC,
    options: DEFAULT_MEDIA_OPTIONS,
    fetchTimeoutMs: 5_000,
    cacheEntries: 10,
    cacheBytes: 64 * 1024 * 1024,
    ...(displaySide === undefined ? {} : { displaySize: (size) => replyPictureSize(size, { maxSide: displaySide }) }),
  });
}

describe('the media loader decodes an image once, for the model and the reply', () => {
  it('prepares a phone photo into the tensor and the picture at the reply size, and caches those, not the file', async () => {
    const photo = await orientedJpeg(4000, 3000, { x1: 2400, y1: 400, x2: 3200, y2: 1200 }, 6);
    const media = loader(1280);
    const hash = contentHash(photo);
    const fresh = await media.prepare(hash, media.identify(photo));
    expect(fresh.prepared?.size).toEqual({ width: 4000, height: 3000 });
    expect([fresh.display?.image.width, fresh.display?.image.height]).toEqual([1000, 750]); // a quarter: see replyPictureSize
    expect(fresh.bytes).toBe(photo); // this turn may still cut a zoom from the file
    // a follow-up gets the cached entry: the tensor and the picture, without the 12 MP file (kept once, in the blob store)
    const again = await media.prepare(hash, media.identify(photo));
    expect(again.bytes).toBeUndefined();
    expect(again.display).toBe(fresh.display);
    expect(again.prepared).toBe(fresh.prepared);
    expect(preparedEntryBytes(again)).toBe(1000 * 750 * 3 + 3 * 96 * 96 * 4);
  });

  it('without a display size (lego eval, lego serve) it prepares exactly as prepareImage and keeps the file', async () => {
    const photo = await orientedJpeg(1600, 1200, { x1: 100, y1: 100, x2: 400, y2: 300 }, 1);
    const media = loader();
    const entry = await media.prepare(contentHash(photo), media.identify(photo));
    expect(entry.display).toBeUndefined();
    expect(Array.from(entry.prepared!.pixelValues)).toEqual(Array.from((await prepareImage(photo, SPEC.image!)).pixelValues));
    expect((await media.prepare(contentHash(photo), media.identify(photo))).bytes).toBe(photo);
  });

  it('an image prepared ahead (sent before its question) is decoded once: the turn waits for it', async () => {
    const photo = await orientedJpeg(1600, 1200, { x1: 100, y1: 100, x2: 400, y2: 300 }, 6);
    const media = loader(1280);
    const spy = jest.spyOn(preparation, 'prepareForEngine');
    try {
      media.prepareAhead({ id: 'u1', name: 'photo.jpg', contentType: 'image/jpeg', size: photo.length, fetch: async () => photo });
      await new Promise((resolve) => setImmediate(resolve));
      expect(spy).toHaveBeenCalledTimes(1); // under way before the turn asks
      const [first, second] = await Promise.all([media.prepare(contentHash(photo), media.identify(photo)), media.prepare(contentHash(photo), media.identify(photo))]);
      expect(second.display).toBe(first.display);
      expect((await media.prepare(contentHash(photo), media.identify(photo))).display).toBe(first.display);
      expect(spy).toHaveBeenCalledTimes(1);
      // a turn that gives up waiting is told at once; the preparation itself goes on for the others
      const aborted = new AbortController();
      aborted.abort();
      const other = await orientedJpeg(800, 600, { x1: 10, y1: 10, x2: 40, y2: 30 }, 1);
      const running = media.prepare(contentHash(other), media.identify(other));
      await expect(media.prepare(contentHash(other), media.identify(other), { signal: aborted.signal })).rejects.toMatchObject({ code: 'aborted' });
      expect((await running).prepared?.size).toEqual({ width: 800, height: 600 });
    } finally {
      spy.mockRestore();
    }
  });

  it('what cannot be prepared ahead is left for the turn to meet: nothing is thrown or left rejected', async () => {
    const media = loader(1280);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      media.prepareAhead({ id: 'u2', name: 'x.jpg', contentType: 'image/jpeg', size: 12, fetch: async () => Buffer.from('not an image') });
      media.prepareAhead({ id: 'u3', name: 'y.jpg', contentType: 'image/jpeg', size: 5, fetch: async () => Promise.reject(new Error('gone')) });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
      await expect(media.fetch({ id: 'u2', name: 'x.jpg', contentType: 'image/jpeg', size: 12, fetch: async () => Buffer.from('not an image') })).rejects.toMatchObject({ code: 'unsupported-media' });
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
