/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LegoError } from '../../src/errors';
import { parseBundleManifest } from '../../src/engine/onnx/bundle-manifest';
import { checkGraph, decoderContract, type ValueInfo } from '../../src/engine/onnx/graph-contract';
import { OnnxLegoEngine } from '../../src/engine/onnx/onnx-lego-engine';
import { TEST_BUNDLE } from '../helpers/reference-bundle';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A copy of the test bundle, changed by `edit`, that load() must refuse. */
function brokenBundle(edit: (folder: string, manifest: Json) => Json | void): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'lego-bundle-'));
  cpSync(TEST_BUNDLE, folder, { recursive: true });
  const file = path.join(folder, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Json;
  const changed = edit(folder, manifest) ?? manifest;
  writeFileSync(file, JSON.stringify(changed));
  return folder;
}

async function loadError(folder: string, trialRun = true): Promise<LegoError> {
  try {
    const engine = await OnnxLegoEngine.load(folder, { intraOpNumThreads: 1, trialRun });
    await engine.dispose();
  } catch (error) {
    expect(error).toBeInstanceOf(LegoError);
    return error as LegoError;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  throw new Error('the bundle loaded');
}

describe('bundle checks at load time', () => {
  it('loads the good bundle', async () => {
    const engine = await OnnxLegoEngine.load(TEST_BUNDLE, { intraOpNumThreads: 1 });
    await engine.dispose();
  });

  it('names a missing folder / manifest', async () => {
    const e = await loadError(path.join(os.tmpdir(), 'no-such-bundle-here'));
    expect(e.code).toBe('bundle-invalid');
    expect(e.message).toMatch(/manifest\.json is missing/);
  });

  it('names a missing file', async () => {
    const e = await loadError(brokenBundle((f) => unlinkSync(path.join(f, 'onnx/video_encoder.onnx'))));
    expect(e).toMatchObject({ code: 'bundle-invalid', retryable: false });
    expect(e.message).toMatch(/onnx\/video_encoder\.onnx \(files\.video_encoder\) is missing/);
  });

  it('refuses an unknown manifest version', async () => {
    const e = await loadError(brokenBundle((_f, m) => ({ ...m, version: 2 })));
    expect(e.code).toBe('bundle-invalid');
    expect(e.message).toMatch(/manifest\.json has unknown manifest version 2/);
  });

  it('refuses a manifest that is not JSON or misses fields', async () => {
    const folder = brokenBundle(() => undefined);
    writeFileSync(path.join(folder, 'manifest.json'), '{ nope');
    const notJson = await loadError(folder);
    expect(notJson.code).toBe('bundle-invalid');
    expect(notJson.message).toMatch(/manifest\.json is not valid JSON/);
    const missing = await loadError(brokenBundle((_f, m) => ({ ...m, decoder: { ...m.decoder, num_heads: undefined } })));
    expect(missing.message).toMatch(/manifest\.json is not a valid bundle manifest: decoder\.num_heads/);
  });

  it('refuses paths that leave the bundle', () => {
    const m = JSON.parse(readFileSync(path.join(TEST_BUNDLE, 'manifest.json'), 'utf8')) as Json;
    m.files.tokenizer = '../../etc/passwd';
    expect(() => parseBundleManifest(m)).toThrow(/files\.tokenizer: must be a relative path inside the bundle/);
  });

  it('names a graph whose shapes do not match the manifest (hidden size)', async () => {
    const e = await loadError(brokenBundle((_f, m) => void (m.decoder.hidden_size = 64)));
    expect(e.code).toBe('bundle-invalid');
    expect(e.message).toMatch(/onnx\/embed_tokens\.onnx \(files\.embed_tokens\) output "inputs_embeds" has dimension 2 = 48, but the manifest says 64 \(decoder\.hidden_size\)/);
  });

  it('names a decoder with another number of layers', async () => {
    const e = await loadError(brokenBundle((_f, m) => void (m.decoder.num_layers = 3)));
    expect(e.message).toMatch(/decoder_model_merged\.onnx \(files\.decoder\) has no input "past_key_values\.2\.key"/);
    const fewer = await loadError(brokenBundle((_f, m) => void (m.decoder.num_layers = 1)));
    expect(fewer.message).toMatch(/has an input "past_key_values\.1\.key" that the bundle format does not describe/);
  });

  it('names an encoder with another number of tokens or image size', async () => {
    const tokens = await loadError(brokenBundle((_f, m) => void (m.media.image.tokens = 9)));
    expect(tokens.message).toMatch(/vision_encoder\.onnx \(files\.vision_encoder\) output "image_features" has dimension 1 = 16, but the manifest says 9 \(media\.image\.tokens\)/);
    const size = await loadError(brokenBundle((_f, m) => void (m.media.image.size = 64)));
    expect(size.message).toMatch(/input "pixel_values" has dimension 2 = 48, but the manifest says 64 \(media\.image\.size\)/);
  });

  it('catches a symbolic dimension that comes out wrong in the trial run (video tokens)', async () => {
    // video_features' token dimension is symbolic in the graph; only a run can tell
    const e = await loadError(brokenBundle((_f, m) => void (m.media.video.tokens = 5)));
    expect(e.message).toMatch(/video_encoder\.onnx \(files\.video_encoder\) output "video_features" came out as \[1, 6, 48\] in a trial run, expected \[1, 5, 48\]/);
  });

  it('names a graph file swapped for another graph', async () => {
    const e = await loadError(brokenBundle((_f, m) => void (m.files.vision_encoder = 'onnx/video_encoder.onnx')));
    expect(e.message).toMatch(/onnx\/video_encoder\.onnx \(files\.vision_encoder\) has no input "pixel_values"/);
  });

  it('names a file that is not an ONNX model', async () => {
    const e = await loadError(brokenBundle((f) => void writeFileSync(path.join(f, 'onnx/embed_tokens.onnx'), 'not a model')));
    expect(e.message).toMatch(/onnx\/embed_tokens\.onnx is not a loadable ONNX model/);
  });

  it('names a tokenizer without the media tokens', async () => {
    const e = await loadError(brokenBundle((_f, m) => void (m.media.image.patch = '<img_patch>')));
    expect(e.message).toMatch(/tokenizer\.json has no single token for "<img_patch>" \(media\.image\.patch\)/);
  });

  it("takes a decoder's present_step.* outputs all or not at all", () => {
    const manifest = parseBundleManifest(JSON.parse(readFileSync(path.join(TEST_BUNDLE, 'manifest.json'), 'utf8')));
    const contract = decoderContract(manifest);
    const info = (names: string[]): ValueInfo[] => names.map((name) => ({ name, isTensor: true, type: name === 'attention_mask' || name === 'position_ids' ? 'int64' : 'float32' }));
    const inputs = info(contract.inputs.map((c) => c.name));
    const outputs = contract.outputs.map((c) => c.name);
    const steps = (contract.optionalOutputs ?? []).map((c) => c.name);
    expect(steps).toHaveLength(2 * manifest.decoder.num_layers);
    expect(checkGraph(contract, inputs, info(outputs)).optionalOutputs.size).toBe(0);
    expect(checkGraph(contract, inputs, info([...outputs, ...steps])).optionalOutputs).toEqual(new Set(steps));
    expect(() => checkGraph(contract, inputs, info([...outputs, ...steps.slice(1)]))).toThrow(
      /has only some of its optional outputs \(missing present_step\.0\.key\)/,
    );
  });

  it('names a vocabulary larger than the decoder', async () => {
    const e = await loadError(brokenBundle((_f, m) => void (m.decoder.vocab_size = 100)));
    expect(e.message).toMatch(/tokenizer\.json has token ids up to 2955, but decoder\.vocab_size is 100/);
  });
});
