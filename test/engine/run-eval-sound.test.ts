/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { runEval } from '../../src/engine/eval/run-eval';
import { formatEvalTable } from '../../src/engine/eval/scoring';
import { OnnxLegoEngine } from '../../src/engine/onnx/onnx-lego-engine';
import { prepareSound, prepareSoundtrack } from '../../src/media/audio-prepare';
import { DEFAULT_MEDIA_OPTIONS } from '../../src/media/options';
import { FakeEngine } from '../helpers/fake-engine';
import { TEST_BUNDLE } from '../helpers/reference-bundle';
import { videoWithSound } from '../media/audio-fixtures';

/**
 * `lego eval` on a split with the three sound tasks (a sound alone, an image with a sound, a video with
 * its soundtrack) beside an image question, templates marked: every row is answered with its sound and
 * scored, the table shows seen and held-out templates side by side, and a model without an audio
 * encoder leaves the sound questions out instead of failing.
 */
describe('runEval with sound questions', () => {
  let dir: string;
  let engine: OnnxLegoEngine;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lego-eval-sound-'));
    engine = await OnnxLegoEngine.load(TEST_BUNDLE, { intraOpNumThreads: 1 });
    await sharp({ create: { width: 200, height: 160, channels: 3, background: { r: 20, g: 20, b: 200 } } }).png().toFile(path.join(dir, 'img-0.png'));
    await copyFile(path.join(TEST_BUNDLE, 'reference/audio-case-0.wav'), path.join(dir, 'snd-0.wav'));
    await videoWithSound(path.join(dir, 'clip-0.mp4'), { seconds: 3, frequency: 880, container: 'mp4' });
    const image = { kind: 'image', file: 'img-0.png', width: 200, height: 160 };
    const rows = [
      { id: 'r', task: 'refer', template: 'seen', media: image, turns: [{ role: 'user', text: 'Where is the blue square?' }], truth: { box: [0, 0, 1, 1] }, answer: '' },
      { id: 's1', task: 'sound_source', template: 'held-out', media: null, audio: { file: 'snd-0.wav', duration: 2.53, clips: 3 },
        turns: [{ role: 'user', text: 'What makes this sound?' }], truth: { label: 'black diamond' }, answer: 'It is the sound of a black diamond.' },
      { id: 's2', task: 'sound_locate', template: 'seen', media: image, audio: { file: 'snd-0.wav', duration: 2.53, clips: 3 },
        turns: [{ role: 'user', text: 'Where does this sound come from?' }], truth: { box: [0.1, 0.1, 0.4, 0.4], label: 'black diamond' }, answer: '' },
      { id: 's3', task: 'sound_span', template: 'held-out', media: { kind: 'video', file: 'clip-0.mp4', width: 32, height: 32, duration: 3 },
        audio: { file: 'clip-0.mp4', duration: 3, clips: 8, soundtrack: true },
        turns: [{ role: 'user', text: 'When is the black diamond heard?' }], truth: { span: [0.2, 0.6], label: 'black diamond' }, answer: '' },
    ];
    await writeFile(path.join(dir, 'eval.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  });
  afterAll(async () => {
    await engine?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers every sound question with its sound, scores it, and splits the table by template', async () => {
    const inputs = path.join(dir, 'inputs');
    const report = await runEval(engine, dir, { maxNewTokens: 6, saveInputs: inputs });
    expect(report.skipped).toEqual({});
    expect(report.predictions.map((p) => [p.id, p.template, Object.keys(p.scores)])).toEqual([
      ['r', 'seen', ['refer_acc50']],
      ['s1', 'held-out', ['sound_source_acc']],
      ['s2', 'seen', ['sound_locate_acc50']],
      ['s3', 'held-out', ['sound_span_r1_50', 'sound_span_miou']],
    ]);
    expect(report.templates?.seen.counts).toEqual({ refer_acc50: 1, sound_locate_acc50: 1 });
    expect(report.templates?.['held-out'].counts).toEqual({ sound_source_acc: 1, sound_span_r1_50: 1, sound_span_miou: 1 });
    const table = formatEvalTable(report);
    expect(table.split('\n')[0]).toBe('| metric | all | seen templates | held-out templates | target | n (seen/held-out) |');
    expect(table).toMatch(/\| Sound localisation Acc@0\.5 \(image \+ sound\) \| [\d.]+ % [✓✗] \| [\d.]+ % \| — \| ≥ 85 % \| 1\/0 \|/);
    // the features the engine heard, saved for evaluate.py --inputs
    const sound = await prepareSound(path.join(dir, 'snd-0.wav'), engine.media.audio!, DEFAULT_MEDIA_OPTIONS);
    const saved = await readFile(path.join(inputs, 'snd-0.wav.audio.f32'));
    expect(Buffer.compare(saved, Buffer.from(sound.features.buffer))).toBe(0);
    const soundtrack = await prepareSoundtrack(path.join(dir, 'clip-0.mp4'), engine.media.audio!, DEFAULT_MEDIA_OPTIONS);
    expect((await readFile(path.join(inputs, 'clip-0.mp4.audio.f32'))).byteLength).toBe(soundtrack!.features.byteLength);
    expect((await readFile(path.join(inputs, 'clip-0.mp4.f32'))).byteLength).toBe(6 * 3 * 24 * 24 * 4);
  });

  it('leaves the sound questions out for a model without an audio encoder, and says how many', async () => {
    const deaf = new FakeEngine({ fallback: 'It is at [0.000, 0.000, 1.000, 1.000].' });
    const report = await runEval(deaf, dir, {});
    expect(report.predictions.map((p) => p.id)).toEqual(['r']);
    expect(report.skipped).toEqual({ sound_source: 1, sound_locate: 1, sound_span: 1 });
  });
});
