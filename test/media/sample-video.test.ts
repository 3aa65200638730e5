import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LegoError } from '../../src/errors';
import { clipSpan } from '../../src/media/clip-span';
import { extractAudio } from '../../src/media/extract-audio';
import type { MediaOptions } from '../../src/media/options';
import { resolveMediaOptions } from '../../src/media/options';
import { prepareVideo } from '../../src/media/prepare-video';
import { probeMedia } from '../../src/media/probe-media';
import { resolveFfmpegBinaries } from '../../src/media/ffmpeg-binaries';
import { sampleVideo } from '../../src/media/sample-video';
import { TEMP_DIR_PREFIX } from '../../src/media/temp-workspace';
import { frameNumberVideo, readFrameNumber, rotatedVideo, streamedWebm, toneClip } from './video-fixtures';

const work = mkdtempSync(join(tmpdir(), 'lego-video-test-'));
const tempDir = join(work, 'tmp');
const files = {
  cfr: join(work, 'frames-cfr.mp4'),
  bframes: join(work, 'frames-bframes.mp4'),
  vfr: join(work, 'frames-vfr.mp4'),
  rotated: join(work, 'rotated.mp4'),
  rotatedPlain: join(work, 'rotated-plain.mp4'),
  tone: join(work, 'tone.mp4'),
  audioOnly: join(work, 'audio-only.mp4'),
};

function options(overrides: Partial<MediaOptions> = {}): MediaOptions {
  return resolveMediaOptions({ tempDir, ...overrides });
}

/**
 * A stand-in binary that records its pid and sleeps; capability queries (`-formats`, `-encoders`) go to
 * `delegate` so that fluent-ffmpeg gets real answers.
 */
function hangingBinary(name: string, pidFile: string, delegate?: string): string {
  const path = join(work, name);
  const passThrough = delegate ? `case "$*" in *-formats*|*-encoders*) exec "${delegate}" "$@";; esac\n` : '';
  writeFileSync(path, `#!/bin/sh\n${passThrough}echo $$ > "${pidFile}"\nexec sleep 30\n`, { mode: 0o755 });
  return path;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function leftovers(): string[] {
  return readdirSync(tempDir).filter((name) => name.startsWith(TEMP_DIR_PREFIX));
}

async function failure(promise: Promise<unknown>): Promise<LegoError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LegoError);
    const lego = error as LegoError;
    expect(lego.userMessage.length).toBeLessThan(140);
    expect(lego.userMessage).not.toMatch(/ffmpeg|ffprobe|Error:/i);
    return lego;
  }
  throw new Error('expected a LegoError');
}

beforeAll(async () => {
  require('node:fs').mkdirSync(tempDir);
  await frameNumberVideo(files.cfr, { seconds: 8, fps: 10, gop: 10 });
  await frameNumberVideo(files.bframes, { seconds: 8, fps: 10, gop: 10, bframes: 3 });
  await frameNumberVideo(files.vfr, { seconds: 8, fps: 10, gop: 10, select: 'not(eq(mod(n\\,3)\\,1))*not(between(n\\,22\\,28))' });
  await rotatedVideo(files.rotated, files.rotatedPlain, 90);
  await toneClip(files.tone, { seconds: 2 });
  await toneClip(files.audioOnly, { seconds: 1, audioOnly: true });
});

afterEach(() => {
  expect(leftovers()).toEqual([]);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe.each(['seek', 'decode'] as const)('sampleVideo (%s, exact times)', (strategy) => {
  // keyframeSnap 0: every frame at its exact time, whichever way it is read
  const frameSampling = strategy;
  const options = (overrides: Partial<MediaOptions> = {}): MediaOptions => resolveMediaOptions({ tempDir, keyframeSnap: 0, ...overrides });

  it('takes the frames at (i + 0.5) / N × duration', async () => {
    const sampled = await sampleVideo(files.cfr, 8, options({ frameSampling }));
    expect(sampled.strategy).toBe(frameSampling);
    expect(sampled.durationSec).toBeCloseTo(8, 2);
    expect(sampled.frames.map((f) => f.time)).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5]);
    expect(sampled.frames.map((f) => readFrameNumber(f.image))).toEqual([5, 15, 25, 35, 45, 55, 65, 75]);
  });

  it('samples only a stretch when given one (a zoom in time): its frames, its duration, times from its start', async () => {
    // 2–4 s of the 8 s clip: 4 frames at 2.25, 2.75, 3.25 and 3.75 s
    const sampled = await sampleVideo(files.cfr, 4, options({ frameSampling }), { window: { start: 2, end: 4 } });
    expect(sampled.durationSec).toBeCloseTo(2, 6);
    expect(sampled.frames.map((f) => f.time)).toEqual([0.25, 0.75, 1.25, 1.75]);
    expect(sampled.frames.map((f) => readFrameNumber(f.image))).toEqual([23, 28, 33, 38]);
    // a stretch past the end is cut at it
    const tail = await sampleVideo(files.cfr, 2, options({ frameSampling }), { window: { start: 7, end: 12 } });
    expect(tail.durationSec).toBeCloseTo(1, 2);
    expect(tail.frames.map((f) => readFrameNumber(f.image))).toEqual([73, 78]);
  });

  it('takes the first frame at or after each time', async () => {
    const sampled = await sampleVideo(files.cfr, 3, options({ frameSampling }));
    expect(sampled.frames.map((f) => readFrameNumber(f.image))).toEqual([14, 40, 67]);
  });

  it('copes with a variable frame rate (missing frames, a gap)', async () => {
    const sampled = await sampleVideo(readFileSync(files.vfr), 8, options({ frameSampling }));
    expect(sampled.frames.map((f) => readFrameNumber(f.image))).toEqual([5, 15, 29, 35, 45, 56, 65, 75]);
  });

  it('honours rotation metadata', async () => {
    const sampled = await sampleVideo(files.rotated, 2, options({ frameSampling }));
    expect(sampled.video.rotation % 180).toBe(90);
    expect(sampled.size).toEqual({ width: 48, height: 64 });
    const frame = sampled.frames[0]?.image;
    expect([frame?.width, frame?.height]).toEqual([48, 64]);
    // the display matrix says 90° counter-clockwise (as players and ffprobe read it): the blue right
    // half comes on top, the red left half at the bottom
    const at = (x: number, y: number): number[] => [...(frame?.data.subarray((y * 48 + x) * 3, (y * 48 + x) * 3 + 3) ?? [])];
    expect(at(24, 8)[2]).toBeGreaterThan(180);
    expect(at(24, 8)[0]).toBeLessThan(60);
    expect(at(24, 56)[0]).toBeGreaterThan(180);
    expect(at(24, 56)[2]).toBeLessThan(60);
  });
});

describe('sampleVideo: keyframes near the times', () => {
  it.each([
    ['without B-frames', 'cfr'],
    ['with B-frames', 'bframes'],
  ] as const)('reads the keyframe within keyframeSnap of each time instead (%s), and says so in its time', async (_, file) => {
    // 8 s at 10 fps, a keyframe a second; 3 frames at 1.33, 4 and 6.67 s, 2.67 s apart: a quarter of that
    // reaches the keyframes at 1, 4 and 7 s
    const sampled = await sampleVideo(files[file], 3, options({ frameSampling: 'seek' }));
    expect(sampled.strategy).toBe('seek');
    expect(sampled.frames.map((f) => f.time)).toEqual([1, 4, 7]);
    expect(sampled.frames.map((f) => readFrameNumber(f.image))).toEqual([10, 40, 70]);
  });

  it('keeps a time exact when no keyframe is near enough, and auto seeks when the keyframes make it cheap', async () => {
    // 8 frames 1 s apart sit half-way between keyframes: a quarter of the spacing does not reach them
    const exact = await sampleVideo(files.bframes, 8, options({ frameSampling: 'seek' }));
    expect(exact.frames.map((f) => readFrameNumber(f.image))).toEqual([5, 15, 25, 35, 45, 55, 65, 75]);
    const auto = await sampleVideo(files.bframes, 3, options());
    expect(auto.strategy).toBe('seek');
    expect(auto.frames.map((f) => readFrameNumber(f.image))).toEqual([10, 40, 70]);
  });

  it('decoding from the start takes the exact times', async () => {
    const sampled = await sampleVideo(files.bframes, 3, options({ frameSampling: 'decode' }));
    expect(sampled.frames.map((f) => readFrameNumber(f.image))).toEqual([14, 40, 67]);
  });
});

describe('sampleVideo', () => {
  it('picks a strategy from the packet index and shrinks frames to frameMaxSide', async () => {
    const sampled = await sampleVideo(files.cfr, 4, options({ frameMaxSide: 40 }));
    expect(['seek', 'decode']).toContain(sampled.strategy);
    expect([sampled.frames[0]?.image.width, sampled.frames[0]?.image.height]).toEqual([40, 8]);
    expect(sampled.frames.map((f) => readFrameNumber(f.image))).toEqual([10, 30, 50, 70]);
  });

  it('runs one ffprobe and one ffmpeg per clip: the packet index comes with the probe', async () => {
    const log = join(work, 'spawned.log');
    const counting = (name: string, real: string): string => {
      const path = join(work, `${name}-counting`);
      writeFileSync(path, `#!/bin/sh\ncase "$*" in *-formats*|*-encoders*|*-filters*|*-codecs*|*-pix_fmts*) ;; *) echo ${name} >> "${log}";; esac\nexec "${real}" "$@"\n`, { mode: 0o755 });
      return path;
    };
    const real = resolveFfmpegBinaries(options());
    const counted = options({ ffmpegPath: counting('ffmpeg', real.ffmpeg), ffprobePath: counting('ffprobe', real.ffprobe), frameSampling: 'auto' });
    const sampled = await sampleVideo(files.cfr, 4, counted);
    expect(sampled.frames).toHaveLength(4);
    expect(readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual(['ffmpeg', 'ffprobe']);
  });

  it('reads a streamed WebM without a duration (MediaRecorder style) from its packets', async () => {
    const webm = await streamedWebm(4, 10);
    const binaries = resolveFfmpegBinaries(options());
    writeFileSync(join(work, 'streamed.webm'), webm);
    const probe = await probeMedia(join(work, 'streamed.webm'), { binaries, timeoutMs: 10_000 });
    expect(probe.video?.durationSec).toBeUndefined();
    expect(probe.formatDurationSec).toBeNaN();
    // keyframeSnap 0: libvpx put keyframes at 1, 1.6, 2.6 and 3.6 s, which snapping would take
    const sampled = await sampleVideo(webm, 4, options({ keyframeSnap: 0 }));
    expect(sampled.durationSec).toBeCloseTo(4, 1);
    expect(sampled.frames.map((f) => readFrameNumber(f.image))).toEqual([5, 15, 25, 35]);
  });

  it('decodes when more frames are asked than maxSeekInputs', async () => {
    const sampled = await sampleVideo(files.cfr, 16, options({ maxSeekInputs: 4, frameSampling: 'seek' }));
    expect(sampled.strategy).toBe('decode');
    expect(sampled.frames.map((f) => readFrameNumber(f.image))).toEqual(
      Array.from({ length: 16 }, (_, i) => Math.ceil(((i + 0.5) / 16) * 80 - 1e-9)),
    );
  });

  it('works the same with Debian ffmpeg when configured by path', async () => {
    if (!existsSync('/usr/bin/ffmpeg') || !existsSync('/usr/bin/ffprobe')) {
      throw new Error("Debian's ffmpeg is missing (/usr/bin/ffmpeg, /usr/bin/ffprobe): apt-get install -y ffmpeg, or bash scripts/system-packages.sh");
    }
    for (const frameSampling of ['seek', 'decode'] as const) {
      const sampled = await sampleVideo(
        files.vfr,
        8,
        options({ frameSampling, keyframeSnap: 0, ffmpegPath: '/usr/bin/ffmpeg', ffprobePath: '/usr/bin/ffprobe' }),
      );
      expect(sampled.frames.map((f) => readFrameNumber(f.image))).toEqual([5, 15, 29, 35, 45, 56, 65, 75]);
    }
  });

  it('probes duration, streams and frame rate', async () => {
    const binaries = resolveFfmpegBinaries(options());
    const probe = await probeMedia(files.vfr, { binaries, timeoutMs: 10_000 });
    expect(probe.video).toMatchObject({ width: 80, height: 16, codec: 'h264' });
    expect(probe.audio).toBeUndefined();
    const withSound = await probeMedia(files.tone, { binaries, timeoutMs: 10_000 });
    expect(withSound.audio).toMatchObject({ codec: 'aac', channels: 1 });
  });
});

describe('prepareVideo', () => {
  it('stacks frames prepared like images into [F, 3, S, S]', async () => {
    const spec = { size: 24, frames: 4, padRgb: [122, 116, 104], mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } as const;
    const prepared = await prepareVideo(readFileSync(files.cfr), spec, options());
    expect(prepared.kind).toBe('video');
    expect(prepared.size).toEqual({ width: 80, height: 16 });
    expect(prepared.frameTimes).toEqual([1, 3, 5, 7]);
    expect(prepared.durationSec).toBeCloseTo(8, 2);
    expect(prepared.pixelValues).toHaveLength(4 * 3 * 24 * 24);
    // the first row is padding: (122/255 − 0.5)/0.5
    expect(prepared.pixelValues[0]).toBeCloseTo((122 / 255 - 0.5) / 0.5, 3);
  });
});

describe('extractAudio', () => {
  it('decodes the sound as 16 kHz mono float PCM', async () => {
    const audio = await extractAudio(readFileSync(files.tone), options());
    expect(audio.sampleRate).toBe(16_000);
    expect(audio.durationSec).toBeGreaterThan(1.9);
    expect(audio.durationSec).toBeLessThan(2.2);
    // a 440 Hz tone crosses zero upwards ~440 times a second
    let crossings = 0;
    for (let i = 1; i < 16_000; i += 1) if ((audio.samples[i - 1] ?? 0) < 0 && (audio.samples[i] ?? 0) >= 0) crossings += 1;
    expect(crossings).toBeGreaterThan(430);
    expect(crossings).toBeLessThan(450);
  });

  it('refuses a video without sound', async () => {
    expect((await failure(extractAudio(files.cfr, options()))).code).toBe('bad-input');
  });
});

describe('clipSpan', () => {
  it('cuts a short upright MP4 of one span', async () => {
    const clip = await clipSpan(files.cfr, { start: 2, end: 4 }, options(), { maxSide: 40 });
    expect(clip.span).toEqual({ start: 2, end: 4 });
    expect(clip.size).toEqual({ width: 40, height: 8 });
    const sampled = await sampleVideo(clip.mp4, 2, options({ frameMaxSide: 80 }));
    expect(sampled.durationSec).toBeCloseTo(2, 1);
    // the clip starts at frame 20 of the source: its frames at 0.5 s and 1.5 s are 25 and 35
    expect(sampled.frames.map((f) => readFrameNumber(f.image))).toEqual([25, 35]);
  });

  it('keeps the sound and clips the span to the video', async () => {
    const clip = await clipSpan(files.tone, { start: 1.5, end: 99 }, options());
    expect(clip.span.start).toBe(1.5);
    expect(clip.span.end).toBeCloseTo(2, 1);
    const audio = await extractAudio(clip.mp4, options());
    expect(audio.durationSec).toBeGreaterThan(0.3);
  });
});

describe('bad video input gets a clear LegoError', () => {
  it('an audio-only MP4', async () => {
    const error = await failure(prepareVideo(readFileSync(files.audioOnly), { size: 8, frames: 2, padRgb: [0, 0, 0], mean: [0, 0, 0], std: [1, 1, 1] }, options()));
    expect(error.code).toBe('bad-input');
    expect(error.userMessage).toMatch(/no video/);
  });

  it('a corrupt MP4 (truncated, no index)', async () => {
    const bytes = readFileSync(files.cfr);
    const error = await failure(sampleVideo(bytes.subarray(0, Math.floor(bytes.length * 0.6)), 4, options()));
    expect(error.code).toBe('media-corrupt');
    expect(error.userMessage).toMatch(/damaged/);
  });

  it('an MP4 header followed by garbage', async () => {
    const bytes = Buffer.concat([readFileSync(files.cfr).subarray(0, 32), Buffer.alloc(4096, 0x5a)]);
    expect((await failure(sampleVideo(bytes, 4, options()))).code).toBe('media-corrupt');
  });

  it('a video over the duration limit', async () => {
    const error = await failure(sampleVideo(files.cfr, 4, options({ maxDurationSec: 5 })));
    expect(error.code).toBe('too-large');
    expect(error.userMessage).toMatch(/too long/);
  });

  it('a video over the byte limit', async () => {
    const error = await failure(sampleVideo(readFileSync(files.cfr), 4, options({ maxVideoBytes: 1000 })));
    expect(error.code).toBe('too-large');
    expect(error.userMessage).toMatch(/too large/);
  });

  it('a video over the resolution limit', async () => {
    const error = await failure(sampleVideo(files.cfr, 4, options({ maxVideoSide: 64 })));
    expect(error.code).toBe('too-large');
    expect(error.userMessage).toMatch(/resolution/);
  });

  it('a zero-byte file and a text file', async () => {
    expect((await failure(sampleVideo(Buffer.alloc(0), 4, options()))).code).toBe('bad-input');
    const text = join(work, 'notes.mp4');
    writeFileSync(text, 'not a video at all\n'.repeat(50));
    expect((await failure(sampleVideo(text, 4, options()))).code).toBe('unsupported-media');
  });

  it('an image given as a video', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect((await failure(sampleVideo(png, 4, options()))).code).toBe('unsupported-media');
  });

  it('ffmpeg over its time limit is killed', async () => {
    const error = await failure(sampleVideo(files.cfr, 4, options({ ffmpegTimeoutMs: 1, frameSampling: 'seek' })));
    expect(error.code).toBe('too-large');
    expect(error.userMessage).toMatch(/too long/);
  });

  it('a hanging ffmpeg is killed at its time limit, not waited for', async () => {
    const real = resolveFfmpegBinaries(options()).ffmpeg;
    const pidFile = join(work, 'ffmpeg.pid');
    const fake = hangingBinary('ffmpeg-hangs', pidFile, real);
    const started = Date.now();
    const error = await failure(sampleVideo(files.cfr, 4, options({ ffmpegPath: fake, ffmpegTimeoutMs: 800 })));
    expect(error.code).toBe('too-large');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('a hanging ffprobe is killed at its time limit', async () => {
    const pidFile = join(work, 'ffprobe.pid');
    const fake = hangingBinary('ffprobe-hangs', pidFile);
    const error = await failure(sampleVideo(files.cfr, 4, options({ ffprobePath: fake, ffprobeTimeoutMs: 500 })));
    expect(error.code).toBe('too-large');
    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('ffprobe over its time limit is killed', async () => {
    // A slow ffprobe that would answer correctly after 3 s; the 300 ms limit kills it first whatever
    // the machine's load (a 1 ms limit raced a fast ffprobe's own exit).
    const real = resolveFfmpegBinaries(options()).ffprobe;
    const pidFile = join(work, 'ffprobe-slow.pid');
    const slow = join(work, 'ffprobe-slow');
    writeFileSync(slow, `#!/bin/sh\necho $$ > "${pidFile}"\nsleep 3\nexec "${real}" "$@"\n`, { mode: 0o755 });
    const started = Date.now();
    const error = await failure(sampleVideo(files.cfr, 4, options({ ffprobePath: slow, ffprobeTimeoutMs: 300 })));
    expect(error.code).toBe('too-large');
    expect(error.message).toMatch(/ffprobe ran over its time limit of 300 ms/);
    expect(Date.now() - started).toBeLessThan(2900);
    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('an aborted request stops', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(sampleVideo(files.cfr, 4, options(), { signal: controller.signal }));
    expect(error.code).toBe('aborted');
  });
});
