/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../src/engine/silent-logger';
import { loadLegoBundle, type LegoBundle } from '../../src/engine/onnx/lego-bundle';
import type { KvCache, LegoGraphs } from '../../src/engine/onnx/lego-graphs';
import { TEST_BUNDLE } from '../helpers/reference-bundle';

/**
 * The decoder's cache kept in the engine's own growing buffers (the decoder returns present_step.*)
 * must give the same logits as feeding the decoder's present.* back, step after step — across buffer
 * growth — and a cache may only be used once.
 */
const LEGO_TINY = path.resolve(__dirname, '../../models/lego-tiny');
const bundles = [TEST_BUNDLE, LEGO_TINY].filter((b) => existsSync(path.join(b, 'manifest.json')));

async function run(graphs: LegoGraphs, prompt: readonly number[], steps: number): Promise<Float32Array[]> {
  let cache: KvCache = graphs.emptyCache();
  const out: Float32Array[] = [];
  let step = await graphs.decode(await graphs.embed(prompt), prompt.length, cache);
  out.push(step.logits.slice());
  for (let i = 0; i < steps; i += 1) {
    cache = step.cache;
    // feed the argmax, as greedy decoding would
    let best = 0;
    step.logits.forEach((v, j) => {
      if (v > step.logits[best]!) best = j;
    });
    step = await graphs.decode(await graphs.embed([best]), 1, cache);
    out.push(step.logits.slice());
  }
  expect(step.cache.length).toBe(prompt.length + steps);
  return out;
}

describe.each(bundles.map((b) => [path.basename(b), b] as const))('the key/value cache (%s)', (_name, folder) => {
  let bundle: LegoBundle;
  beforeAll(async () => {
    bundle = await loadLegoBundle(folder, { executionProvider: 'cpu', intraOpNumThreads: 1, spinning: false, logger: silentLogger, trialRun: true });
  });
  afterAll(async () => {
    await bundle?.graphs.release();
  });

  it('lives in the engine’s own buffers when the decoder returns present_step.*', () => {
    expect(bundle.graphs.keepsOwnCache).toBe(true);
    expect(bundle.graphs.withPresentCache().keepsOwnCache).toBe(false);
  });

  it('gives the same logits as feeding present.* back, across buffer growth', async () => {
    const prompt = Array.from({ length: 37 }, (_, i) => (i * 7 + 3) % bundle.manifest.decoder.vocab_size);
    const steps = 150; // 37 + 150 positions: the buffers grow twice
    const own = await run(bundle.graphs, prompt, steps);
    const plain = await run(bundle.graphs.withPresentCache(), prompt, steps);
    expect(own).toHaveLength(plain.length);
    let worst = 0;
    own.forEach((l, i) => l.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - plain[i]![j]!)))));
    expect(worst).toBeLessThan(1e-4);
  });

  it('refuses a cache used again after a later step was taken from it', async () => {
    const g = bundle.graphs;
    const first = await g.decode(await g.embed([1, 2, 3]), 3, g.emptyCache());
    const second = await g.decode(await g.embed([4]), 1, first.cache);
    await g.decode(await g.embed([5]), 1, second.cache);
    await expect(g.decode(await g.embed([6]), 1, first.cache)).rejects.toThrow(/reused after a later step/);
  });
});
