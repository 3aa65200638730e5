/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { collectAnswer } from '../../src/engine/collect-answer';
import { OnnxLegoEngine } from '../../src/engine/onnx/onnx-lego-engine';
import type { GenerateRequest } from '../../src/engine/types';
import { audioFeatures } from '../../src/media/audio-prepare';
import { extractAudio } from '../../src/media/extract-audio';
import { DEFAULT_MEDIA_OPTIONS } from '../../src/media/options';
import { referenceAudio, referenceAudioCases, referenceCases, referenceMedia, TEST_BUNDLE } from '../helpers/reference-bundle';

/**
 * The TypeScript engine must reproduce PyTorch's greedy generations token for token: the random test
 * bundle always, and lego-tiny once its bundle has been exported (models/lego-tiny/manifest.json).
 */
const LEGO_TINY = path.resolve(__dirname, '../../models/lego-tiny');
const bundles = [TEST_BUNDLE, LEGO_TINY].filter((b) => existsSync(path.join(b, 'reference.json')));

describe.each(bundles.map((b) => [path.basename(b), b] as const))('parity with the PyTorch reference generations (%s)', (_name, folder) => {
  let engine: OnnxLegoEngine;
  beforeAll(async () => {
    engine = await OnnxLegoEngine.load(folder, { intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await engine?.dispose();
  });

  const cases = referenceCases(folder);

  it('has reference cases for images and videos', () => {
    expect(cases.length).toBeGreaterThanOrEqual(2);
    expect(new Set(cases.map((c) => c.media.kind))).toEqual(new Set(['image', 'video']));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: same prompt, query and output ids', async (_case, c) => {
    const media = referenceMedia(c, folder);
    const request = { turns: c.turns, media, options: { temperature: 0, maxNewTokens: c.max_new_tokens } };
    const prompt = engine.preparePrompt(request);
    expect(prompt.text).toBe(c.prompt);
    expect(prompt.ids).toEqual(c.prompt_ids);
    expect(prompt.query).toEqual(c.query_ids);
    const answer = await collectAnswer(engine.generate(request));
    expect(answer.finish.tokenIds).toEqual(c.output_ids);
    expect(answer.text).toBe(c.output_text);
    expect(answer.finish.usage).toEqual({ promptTokens: c.prompt_ids.length, completionTokens: c.output_ids.length });
  });

  const audioCases = referenceAudioCases(folder);
  const audioBundle = existsSync(path.join(folder, 'onnx/audio_encoder.onnx'));

  it('has reference cases with a sound alone, beside an image and as a soundtrack when the bundle hears', () => {
    if (!audioBundle) return expect(audioCases).toEqual([]);
    expect(new Set(audioCases.map((c) => c.media?.kind ?? 'none'))).toEqual(new Set(['none', 'image', 'video']));
  });

  // jest refuses an empty table: a bundle without sound cases has only the check above
  if (audioCases.length > 0) {
    it.each(audioCases.map((c) => [c.name, c] as const))('%s: same features from the WAV, same prompt, query and output ids', async (_case, c) => {
      const audio = referenceAudio(c, folder);
      // the media pipeline decodes the case's WAV with ffmpeg to the very features PyTorch was given
      const spec = engine.media.audio!;
      const decoded = await extractAudio(path.join(folder, c.audio.source), DEFAULT_MEDIA_OPTIONS, { sampleRate: spec.sampleRate });
      const ours = audioFeatures(decoded.samples, spec, audio.source);
      expect(ours.clips).toBe(c.audio.clips);
      expect(ours.features.reduce((m, v, i) => Math.max(m, Math.abs(v - audio.features[i]!)), 0)).toBeLessThanOrEqual(1e-4);
      const request: GenerateRequest = { turns: c.turns, audio, options: { temperature: 0, maxNewTokens: c.max_new_tokens } };
      if (c.media !== null) request.media = referenceMedia({ ...c, media: c.media }, folder);
      const prompt = engine.preparePrompt(request);
      expect(prompt.text).toBe(c.prompt);
      expect(prompt.ids).toEqual(c.prompt_ids);
      expect(prompt.query).toEqual(c.query_ids);
      const answer = await collectAnswer(engine.generate(request));
      expect(answer.finish.tokenIds).toEqual(c.output_ids);
      expect(answer.text).toBe(c.output_text);
    });
  }
});

it('finds the test bundle', () => {
  expect(bundles).toContain(TEST_BUNDLE);
});
