import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AudioSpec } from '../../src/engine/types';
import { LegoError } from '../../src/errors';
import { prepareSound, prepareSoundtrack } from '../../src/media/audio-prepare';
import { melFilterbank } from '../../src/media/audio-mel-filterbank';
import { resolveMediaOptions } from '../../src/media/options';
import { sniffMedia } from '../../src/media/sniff-media';
import type { SoundFormat } from './audio-fixtures';
import { SOUND_FORMATS, silentWav, streamedWebmSound, toneFile, videoWithSound } from './audio-fixtures';

jest.setTimeout(60_000);

/** The contract's numbers (a bundle's manifest carries them; nothing here is lego-tiny's). */
const spec: AudioSpec = {
  sampleRate: 16000,
  clipSeconds: 1,
  clips: 3,
  soundtrackClips: 8,
  features: { nFft: 400, winLength: 400, hopLength: 160, nMels: 64, fMin: 0, fMax: 8000, power: 2, logFloor: 1e-6, mean: -4.1, std: 4.2, frames: 98 },
};
const options = resolveMediaOptions({ maxAudioDurationSec: 4, maxAudioBytes: 2 * 1024 * 1024 });

let dir: string;
const files: Record<string, string> = {};
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lego-audio-test-'));
  for (const format of Object.keys(SOUND_FORMATS) as SoundFormat[]) {
    files[format] = path.join(dir, `tone.${format === 'opus' ? 'ogg' : format}`);
    await toneFile(files[format]!, format, { frequency: 1000, seconds: 2.5 });
  }
  files.mp4 = path.join(dir, 'video.mp4');
  await videoWithSound(files.mp4, { seconds: 3, frequency: 1000, container: 'mp4' });
  files.webmVideo = path.join(dir, 'video.webm');
  await videoWithSound(files.webmVideo, { seconds: 3, frequency: 1000, container: 'webm' });
  files.mute = path.join(dir, 'mute.mp4');
  await videoWithSound(files.mute, { seconds: 2, container: 'mp4', sound: false });
  files.silent = path.join(dir, 'silent.wav');
  await silentWav(files.silent, 2);
  files.long = path.join(dir, 'long.mp3');
  await toneFile(files.long, 'mp3', { seconds: 6 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<LegoError> {
  try {
    await promise;
  } catch (error) {
    if (LegoError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a LegoError');
}

/** The mel band a 1 kHz tone should be loudest in (bin 25 of a 400-point FFT at 16 kHz). */
function toneBand(): number {
  const bank = melFilterbank({ nFft: 400, nMels: 64, sampleRate: 16000, fMin: 0, fMax: 8000 });
  const weights = Array.from({ length: 64 }, (_, m) => bank[m * 201 + 25]!);
  return weights.indexOf(Math.max(...weights));
}

function loudestBand(features: Float32Array, clip: number): number {
  const { nMels, frames } = spec.features;
  const column = Array.from({ length: nMels }, (_, m) => features[clip * nMels * frames + m * frames + 50]!);
  return column.indexOf(Math.max(...column));
}

describe('prepareSound', () => {
  it.each(Object.keys(SOUND_FORMATS) as SoundFormat[])('reads a %s sound as an audio file and hears its tone', async (format) => {
    const bytes = readFileSync(files[format]!);
    expect(sniffMedia(bytes.subarray(0, 512))?.kind).toBe('audio');
    const prepared = await prepareSound(bytes, spec, options);
    expect(prepared).toMatchObject({ kind: 'audio', source: 'sound', clips: 3 });
    expect(prepared.durationSec).toBeGreaterThan(2.3);
    expect(prepared.durationSec).toBeLessThan(2.7);
    expect(prepared.features.length).toBe(3 * 64 * 98);
    for (const clip of [0, 1, 2]) expect(loudestBand(prepared.features, clip)).toBe(toneBand());
  });

  it("reads the soundtrack of an MP4 or WebM video with the video's clip count", async () => {
    for (const file of [files.mp4!, files.webmVideo!]) {
      expect(sniffMedia(readFileSync(file).subarray(0, 512))?.kind).toBe('video');
      const prepared = await prepareSoundtrack(file, spec, options);
      expect(prepared).toMatchObject({ kind: 'audio', source: 'soundtrack', clips: 8 });
      expect(prepared!.features.length).toBe(8 * 64 * 98);
      expect(loudestBand(prepared!.features, 4)).toBe(toneBand());
    }
  });

  it('reads a video without sound as having no soundtrack, not as an error', async () => {
    await expect(prepareSoundtrack(files.mute!, spec, options)).resolves.toBeUndefined();
  });

  it('refuses silence with one sentence', async () => {
    const error = await failure(prepareSound(files.silent!, spec, options));
    expect(error.code).toBe('bad-input');
    expect(error.userMessage).toBe('Sorry, I could not hear anything in that sound: it seems to be silent.');
  });

  it('refuses a sound over the configured length, with the limit in the sentence', async () => {
    const error = await failure(prepareSound(files.long!, spec, options));
    expect(error.code).toBe('too-large');
    expect(error.userMessage).toBe('Sorry, that sound is too long for me (the limit is 4 seconds).');
  });

  it('tells the length of a recording whose header has none (a browser recording) by decoding it', async () => {
    const short = await streamedWebmSound(2);
    expect(sniffMedia(short.subarray(0, 512))).toMatchObject({ kind: 'audio', format: 'webm' });
    expect((await prepareSound(short, spec, options)).durationSec).toBeCloseTo(2, 1);
    const error = await failure(prepareSound(await streamedWebmSound(6), spec, options));
    expect(error.code).toBe('too-large');
    expect(error.userMessage).toBe('Sorry, that sound is too long for me (the limit is 4 seconds).');
  });

  it('refuses a sound over the configured size', async () => {
    const small = resolveMediaOptions({ maxAudioBytes: 1000 });
    const error = await failure(prepareSound(readFileSync(files.wav!), spec, small));
    expect(error.code).toBe('too-large');
    expect(error.userMessage).toMatch(/^Sorry, that sound file is too large \(the limit is/);
  });

  it('refuses a damaged sound file with one sentence', async () => {
    const wav = readFileSync(files.wav!);
    const broken = Buffer.concat([wav.subarray(0, 12), Buffer.alloc(4000, 0x5a)]);
    const file = path.join(dir, 'broken.wav');
    writeFileSync(file, broken);
    const error = await failure(prepareSound(file, spec, options));
    expect(error.code).toBe('media-corrupt');
    expect(error.userMessage).toBe('Sorry, that sound file seems to be damaged and I could not open it.');
  });

  it('refuses a text file as not a sound', async () => {
    const error = await failure(prepareSound(Buffer.from('this is not a sound at all'), spec, options));
    expect(error.code).toBe('unsupported-media');
  });
});
