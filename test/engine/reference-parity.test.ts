/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
import { collectAnswer } from '../../src/engine/collect-answer';
import { OnnxLegoEngine } from '../../src/engine/onnx/onnx-lego-engine';
import { referenceCases, referenceMedia, TEST_BUNDLE } from './test-bundle';

/** The TypeScript engine must reproduce PyTorch's greedy generations token for token. */
describe('parity with the PyTorch reference generations (models/test-bundle)', () => {
  let engine: OnnxLegoEngine;
  beforeAll(async () => {
    engine = await OnnxLegoEngine.load(TEST_BUNDLE, { intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await engine?.dispose();
  });

  const cases = referenceCases();

  it('has reference cases for images and videos', () => {
    expect(cases.length).toBeGreaterThanOrEqual(2);
    expect(new Set(cases.map((c) => c.media.kind))).toEqual(new Set(['image', 'video']));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: same prompt, query and output ids', async (_name, c) => {
    const media = referenceMedia(c);
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
