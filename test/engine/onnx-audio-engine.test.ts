/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectAnswer } from '../../src/engine/collect-answer';
import { loadLegoBundle } from '../../src/engine/onnx/lego-bundle';
import type { LegoBundle } from '../../src/engine/onnx/lego-bundle';
import { OnnxLegoEngine } from '../../src/engine/onnx/onnx-lego-engine';
import { silentLogger } from '../../src/engine/silent-logger';
import type { AudioSpec, GenerateRequest, Part, PreparedAudio, PreparedMedia } from '../../src/engine/types';
import { LegoError } from '../../src/errors';
import { audioFeatures } from '../../src/media/audio-prepare';
import { referenceCases, referenceMedia, TEST_BUNDLE } from '../helpers/reference-bundle';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const manifest = JSON.parse(readFileSync(path.join(TEST_BUNDLE, 'manifest.json'), 'utf8')) as Json;
const cases = referenceCases();
const imageCase = cases.find((c) => c.media.kind === 'image')!;
const videoCase = cases.find((c) => c.media.kind === 'video')!;

/** A tone of `hz` (with a little of its octave), `seconds` long, at the spec's rate. */
function tone(spec: AudioSpec, hz: number, seconds: number): Float32Array {
  const sr = spec.sampleRate;
  return Float32Array.from({ length: Math.round(seconds * sr) }, (_, i) => 0.3 * Math.sin((2 * Math.PI * hz * i) / sr) + 0.1 * Math.sin((4 * Math.PI * hz * i) / sr));
}

async function parts(stream: AsyncIterable<Part>): Promise<Part[]> {
  const out: Part[] = [];
  for await (const p of stream) out.push(p);
  return out;
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if (values[i]! > values[best]!) best = i;
  return best;
}

describe('OnnxLegoEngine with the test bundle’s audio encoder', () => {
  let engine: OnnxLegoEngine;
  let spec: AudioSpec;
  let sound: PreparedAudio;
  let image: PreparedMedia;
  beforeAll(async () => {
    engine = await OnnxLegoEngine.load(TEST_BUNDLE, { intraOpNumThreads: 1 });
    spec = engine.media.audio!;
    sound = audioFeatures(tone(spec, 660, 2.2), spec, 'sound');
    image = referenceMedia(imageCase);
  });
  afterAll(async () => {
    await engine?.dispose();
  });

  it('describes its audio from the manifest, not from lego-tiny', () => {
    const a = manifest.media.audio;
    expect(spec).toMatchObject({ sampleRate: a.sample_rate, clipSeconds: a.clip_seconds, clips: a.clips, soundtrackClips: a.soundtrack_clips });
    expect(spec.features).toMatchObject({ nFft: a.features.n_fft, nMels: a.features.n_mels, frames: a.features.frames, mean: a.features.mean, std: a.features.std });
  });

  it("places the sound's tokens after the image's, before the question", () => {
    const a = manifest.media.audio;
    const im = manifest.media.image;
    const turns = [{ role: 'user' as const, text: 'Where does this sound come from?' }];
    const both = engine.preparePrompt({ turns, media: image, audio: sound });
    const soundPart = `${a.start}${a.patch.repeat(a.tokens)}${a.end}\n`;
    const imagePart = `${im.start}${im.patch.repeat(im.tokens)}${im.end}\n`;
    expect(both.text).toContain(`${manifest.prompt.user_role}: ${imagePart}${soundPart}Where does this sound come from?${manifest.prompt.sep}`);
    const alone = engine.preparePrompt({ turns, audio: sound });
    expect(alone.text).toContain(`${manifest.prompt.user_role}: ${soundPart}Where does this sound come from?`);
    expect(alone.text).not.toContain(im.start);
  });

  it("places a video's soundtrack after the video's tokens", () => {
    const a = manifest.media.audio;
    const v = manifest.media.video;
    const video = referenceMedia(videoCase);
    const soundtrack = audioFeatures(tone(spec, 440, 6), spec, 'soundtrack');
    expect(soundtrack.clips).toBe(a.soundtrack_clips);
    const prompt = engine.preparePrompt({ turns: [{ role: 'user', text: 'When is it heard?' }], media: video, audio: soundtrack });
    expect(prompt.text).toContain(`${v.end}\n${a.start}${a.patch.repeat(a.tokens)}${a.end}\nWhen is it heard?`);
  });

  describe('embeddings', () => {
    let bundle: LegoBundle;
    beforeAll(async () => {
      bundle = await loadLegoBundle(TEST_BUNDLE, { executionProvider: 'cpu', intraOpNumThreads: 1, spinning: false, trialRun: false, logger: silentLogger });
    });
    afterAll(async () => {
      await bundle?.graphs.release();
    });

    it("replaces the sound's patch tokens with the audio encoder's output (the first token matches a hand-made splice)", async () => {
      const other = audioFeatures(Float32Array.from({ length: 30000 }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5), spec, 'sound');
      const firstLogits = async (audio: PreparedAudio | undefined): Promise<Float32Array> => {
        const prompt = engine.preparePrompt({ turns: [{ role: 'user', text: 'What makes this sound?' }], audio: sound });
        const embeds = await bundle.graphs.embed(prompt.ids);
        if (audio !== undefined) {
          const id = bundle.tokenizer.tokenId(manifest.media.audio.patch)!;
          const hidden = manifest.decoder.hidden_size as number;
          const features = (await bundle.graphs.encodeAudio(audio.features, audio.clips, prompt.query)).features;
          let row = 0;
          prompt.ids.forEach((t, pos) => {
            if (t === id) embeds.set(features.subarray(row * hidden, ++row * hidden), pos * hidden);
          });
        }
        return (await bundle.graphs.decode(embeds, prompt.ids.length, bundle.graphs.emptyCache())).logits.slice();
      };
      const maxDiff = (x: Float32Array, y: Float32Array): number => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
      const heard = await firstLogits(sound);
      // the sound changes what the decoder sees: not the plain patch embeddings, and not another sound's
      expect(maxDiff(heard, await firstLogits(undefined))).toBeGreaterThan(1e-3);
      expect(maxDiff(heard, await firstLogits(other))).toBeGreaterThan(1e-3);
      for (const media of [undefined, image]) {
        const request: GenerateRequest = { turns: [{ role: 'user', text: 'What makes this sound?' }], audio: sound, options: { temperature: 0, maxNewTokens: 1 } };
        if (media !== undefined) request.media = media;
        const prompt = engine.preparePrompt(request);
        const { graphs, tokenizer } = bundle;
        const hidden = manifest.decoder.hidden_size as number;
        const embeds = await graphs.embed(prompt.ids);
        const splice = (patch: string, features: Float32Array): number => {
          const id = tokenizer.tokenId(patch)!;
          let row = 0;
          prompt.ids.forEach((t, pos) => {
            if (t === id) embeds.set(features.subarray(row * hidden, ++row * hidden), pos * hidden);
          });
          return row;
        };
        // the sound first: the decoder takes its audio_embeds, the image encoder that hears its sound_embeds
        const { features: audioEmbeds, heard } = await graphs.encodeAudio(sound.features, sound.clips, prompt.query);
        expect(heard.length).toBe(manifest.media.audio.tokens * hidden);
        if (media !== undefined && media.kind === 'image') {
          expect(splice(manifest.media.image.patch, (await graphs.encode('image', media.pixelValues, prompt.query, heard)).features)).toBe(manifest.media.image.tokens);
        }
        expect(audioEmbeds.length).toBe(manifest.media.audio.tokens * hidden);
        expect(splice(manifest.media.audio.patch, audioEmbeds)).toBe(manifest.media.audio.tokens);
        const step = await graphs.decode(embeds, prompt.ids.length, graphs.emptyCache());
        const answer = await collectAnswer(engine.generate(request));
        expect(answer.finish.tokenIds?.[0]).toBe(argmax(step.logits));
      }
    });
  });

  it('answers a badly prepared sound with a bad-input error part, not a throw', async () => {
    const wrong: PreparedAudio = { ...sound, clips: sound.clips + 1 };
    const out = await parts(engine.generate({ turns: [{ role: 'user', text: 'hi' }], audio: wrong }));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ type: 'error' });
    expect((out[0] as { error: LegoError }).error.code).toBe('bad-input');
    const orphan = audioFeatures(tone(spec, 440, 3), spec, 'soundtrack');
    const [part] = await parts(engine.generate({ turns: [{ role: 'user', text: 'hi' }], audio: orphan }));
    expect((part as { error: LegoError }).error.message).toMatch(/soundtrack needs its video/);
  });
});

describe('a bundle without an audio encoder', () => {
  let folder: string;
  let engine: OnnxLegoEngine;
  beforeAll(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'lego-no-audio-'));
    cpSync(TEST_BUNDLE, folder, { recursive: true });
    // and its image encoder without ears (the test bundle's hears the sound; a bundle with no audio encoder must not)
    const files = { ...manifest.files, audio_encoder: null, vision_encoder: 'variants/vision_encoder_deaf.onnx' };
    const m = { ...manifest, files, media: { ...manifest.media, audio: null } };
    writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify(m));
    engine = await OnnxLegoEngine.load(folder, { intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await engine?.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it('says it has no audio and refuses a sound with one sentence', async () => {
    expect(engine.media.audio).toBeNull();
    const spec = { ...manifestAudioSpec() };
    const sound = audioFeatures(tone(spec, 440, 2), spec, 'sound');
    const out = await parts(engine.generate({ turns: [{ role: 'user', text: 'What makes this sound?' }], audio: sound }));
    expect(out).toHaveLength(1);
    const error = (out[0] as { type: 'error'; error: LegoError }).error;
    expect(error.code).toBe('unsupported-media');
    expect(error.userMessage).toBe('Sorry, this model cannot listen to sounds; please send an image or a video instead.');
  });
});

function manifestAudioSpec(): AudioSpec {
  const a = manifest.media.audio;
  const f = a.features;
  return {
    sampleRate: a.sample_rate,
    clipSeconds: a.clip_seconds,
    clips: a.clips,
    soundtrackClips: a.soundtrack_clips,
    features: { nFft: f.n_fft, winLength: f.win_length, hopLength: f.hop_length, nMels: f.n_mels, fMin: f.f_min, fMax: f.f_max, power: f.power, logFloor: f.log_floor, mean: f.mean, std: f.std, frames: f.frames },
  };
}

describe("the bundle's audio section is checked at load time", () => {
  const edited = (edit: (m: Json) => void): string => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'lego-audio-bundle-'));
    cpSync(TEST_BUNDLE, folder, { recursive: true });
    const m = JSON.parse(JSON.stringify(manifest)) as Json;
    edit(m);
    writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify(m));
    return folder;
  };
  const loadError = async (folder: string): Promise<LegoError> => {
    try {
      const e = await OnnxLegoEngine.load(folder, { intraOpNumThreads: 1 });
      await e.dispose();
    } catch (error) {
      if (LegoError.is(error)) return error;
      throw error;
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    throw new Error('the bundle loaded');
  };

  it('refuses frames that the clip length, n_fft and hop do not give', async () => {
    const e = await loadError(edited((m) => void (m.media.audio.features.frames -= 1)));
    expect(e.code).toBe('bundle-invalid');
    expect(e.message).toMatch(/media\.audio\.features\.frames \d+, but clips of 16000 samples with n_fft 400 and hop 160 give \d+/);
  });

  it('refuses an audio encoder without an audio section, and features it cannot compute', async () => {
    expect((await loadError(edited((m) => void (m.media.audio = null)))).message).toMatch(/has files\.audio_encoder but media\.audio is null/);
    expect((await loadError(edited((m) => void (m.media.audio.features.mel_scale = 'slaney')))).message).toMatch(/media\.audio\.features\.mel_scale/);
  });

  it('names a mel count or token count the encoder does not have', async () => {
    const mels = await loadError(edited((m) => void (m.media.audio.features.n_mels = 40)));
    expect(mels.message).toMatch(/audio_encoder\.onnx \(files\.audio_encoder\).*(n_mels|trial run)/);
    const tokens = await loadError(edited((m) => void (m.media.audio.tokens += 1)));
    // the image encoder that hears is checked against it too (its sound_embeds input), before the audio encoder
    expect(tokens.message).toMatch(/(audio_embeds|sound_embeds).*media\.audio\.tokens|audio_embeds.*came out as/);
  });
});
