import { LegoError } from '../../src/errors';
import { DEFAULT_MEDIA_OPTIONS, mediaOptionsSchema, resolveMediaOptions } from '../../src/media/options';

describe('media options', () => {
  it('fills every field with its default', () => {
    expect(resolveMediaOptions()).toEqual(DEFAULT_MEDIA_OPTIONS);
    expect(mediaOptionsSchema.parse({})).toMatchObject({ maxImagePixels: DEFAULT_MEDIA_OPTIONS.maxImagePixels });
  });

  it('keeps what is given', () => {
    const options = resolveMediaOptions({ maxDurationSec: 30, ffmpegPath: '/usr/bin/ffmpeg', frameSampling: 'decode' });
    expect(options).toMatchObject({ maxDurationSec: 30, ffmpegPath: '/usr/bin/ffmpeg', frameSampling: 'decode' });
  });

  it('names the bad setting in a config-invalid error', () => {
    let error: unknown;
    try {
      resolveMediaOptions({ maxImageBytes: -1 });
    } catch (caught) {
      error = caught;
    }
    expect(LegoError.is(error, 'config-invalid')).toBe(true);
    expect((error as LegoError).message).toMatch(/media\.maxImageBytes/);
    expect(() => resolveMediaOptions({ frameSampling: 'sometimes' as never })).toThrow(/frameSampling/);
  });
});
