import { parseProbe } from '../../src/media/probe-media';

const stream = (extra: Record<string, unknown>): Record<string, unknown> => ({
  index: 0,
  codec_type: 'video',
  codec_name: 'h264',
  width: 1920,
  height: 1080,
  sample_aspect_ratio: '1:1',
  r_frame_rate: '30/1',
  avg_frame_rate: '30/1',
  duration: '12.5',
  nb_frames: '375',
  disposition: { attached_pic: 0 },
  ...extra,
});

describe('parseProbe', () => {
  it('reads the video stream, duration and frame rate', () => {
    const probe = parseProbe(JSON.stringify({ format: { format_name: 'mov,mp4', duration: '12.6', start_time: '0.1' }, streams: [stream({})] }));
    expect(probe.formatDurationSec).toBe(12.6);
    expect(probe.formatStartSec).toBe(0.1);
    expect(probe.video).toMatchObject({ width: 1920, height: 1080, size: { width: 1920, height: 1080 }, frameRate: 30, frameCount: 375, durationSec: 12.5, rotation: 0, variableFrameRate: false });
  });

  it('swaps width and height for a quarter rotation (display matrix or legacy tag)', () => {
    const matrix = parseProbe(JSON.stringify({ streams: [stream({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] })] }));
    expect(matrix.video).toMatchObject({ rotation: 270, size: { width: 1080, height: 1920 } });
    const tag = parseProbe(JSON.stringify({ streams: [stream({ tags: { rotate: '90' } })] }));
    expect(tag.video).toMatchObject({ rotation: 270, size: { width: 1080, height: 1920 } });
    const upsideDown = parseProbe(JSON.stringify({ streams: [stream({ tags: { rotate: '180' } })] }));
    expect(upsideDown.video?.size).toEqual({ width: 1920, height: 1080 });
  });

  it('applies a non-square pixel aspect ratio', () => {
    const probe = parseProbe(JSON.stringify({ streams: [stream({ width: 720, height: 576, sample_aspect_ratio: '16:11' })] }));
    expect(probe.video?.size).toEqual({ width: 1047, height: 576 });
  });

  it('ignores cover art: an audio file with a picture has no video', () => {
    const probe = parseProbe(
      JSON.stringify({
        format: { duration: '200' },
        streams: [
          { index: 0, codec_type: 'audio', codec_name: 'mp3', sample_rate: '44100', channels: 2 },
          stream({ index: 1, codec_name: 'mjpeg', disposition: { attached_pic: 1 } }),
        ],
      }),
    );
    expect(probe.video).toBeUndefined();
    expect(probe.audio).toMatchObject({ codec: 'mp3', sampleRate: 44100, channels: 2 });
  });

  it('flags a variable frame rate and a missing duration', () => {
    const probe = parseProbe(JSON.stringify({ format: {}, streams: [stream({ r_frame_rate: '30/1', avg_frame_rate: '2400/97', duration: undefined })] }));
    expect(probe.video?.variableFrameRate).toBe(true);
    expect(probe.video?.durationSec).toBeUndefined();
    expect(probe.formatDurationSec).toBeNaN();
  });
});
