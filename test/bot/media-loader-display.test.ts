import { MediaLoader } from '../../src/bot/media-loader';
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
});
