/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { collectAnswer } from '../../src/engine/collect-answer';
import { OnnxLegoEngine } from '../../src/engine/onnx/onnx-lego-engine';
import { referenceCases, referenceMedia, TEST_BUNDLE } from '../helpers/reference-bundle';

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
});

it('finds the test bundle', () => {
  expect(bundles).toContain(TEST_BUNDLE);
});
