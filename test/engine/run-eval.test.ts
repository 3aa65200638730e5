/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { runEval } from '../../src/engine/eval/run-eval';
import { OnnxLegoEngine } from '../../src/engine/onnx/onnx-lego-engine';
import { prepareImage } from '../../src/media/prepare-image';
import { prepareVideo } from '../../src/media/prepare-video';
import { frameNumberVideo } from '../media/video-fixtures';
import { TEST_BUNDLE } from '../helpers/reference-bundle';

/**
 * `lego eval` on a small split (one image, one video, the random test bundle): every row is answered
 * and scored, progress is reported, and --save-inputs writes exactly the pixels the engine was given
 * (what evaluate.py --inputs reads), once per media file.
 */
describe('runEval', () => {
  let dir: string;
  let engine: OnnxLegoEngine;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lego-eval-'));
    engine = await OnnxLegoEngine.load(TEST_BUNDLE, { intraOpNumThreads: 1 });
    await sharp({ create: { width: 300, height: 120, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .png()
      .toFile(path.join(dir, 'img-0.png'));
    await frameNumberVideo(path.join(dir, 'clip-0.mp4'), { seconds: 2, fps: 10, gop: 5 });
    const rows = [
      { id: 'a', task: 'refer', media: { kind: 'image', file: 'img-0.png', width: 300, height: 120 }, turns: [{ role: 'user', text: 'Where is the red square?' }], truth: { box: [0, 0.3, 1, 0.7] }, answer: 'It is at [0.000, 0.300, 1.000, 0.700].' },
      { id: 'b', task: 'yesno', media: { kind: 'image', file: 'img-0.png', width: 300, height: 120 }, turns: [{ role: 'user', text: 'Is there a blue star?' }], truth: { yes: false }, answer: 'No, there is no blue star.' },
      { id: 'c', task: 'when', media: { kind: 'video', file: 'clip-0.mp4', width: 160, height: 120, duration: 2 }, turns: [{ role: 'user', text: 'When does it start?' }], truth: { span: [0, 0.5] }, answer: 'During {0.00, 0.50}.' },
    ];
    await writeFile(path.join(dir, 'eval.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  });
  afterAll(async () => {
    await engine?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers and scores every row, and saves the prepared pixels once per file', async () => {
    const progress: number[] = [];
    const inputs = path.join(dir, 'inputs');
    const report = await runEval(engine, dir, { maxNewTokens: 8, saveInputs: inputs, onProgress: (p) => progress.push(p.done) });
    expect(report.predictions.map((p) => p.id)).toEqual(['a', 'b', 'c']);
    expect(progress).toEqual([1, 2, 3]);
    expect(Object.keys(report.predictions[0]!.scores)).toContain('refer_acc50');
    const image = await prepareImage(await readFile(path.join(dir, 'img-0.png')), engine.media.image!);
    const savedImage = await readFile(path.join(inputs, 'img-0.png.f32'));
    expect(Buffer.compare(savedImage, Buffer.from(image.pixelValues.buffer, image.pixelValues.byteOffset, image.pixelValues.byteLength))).toBe(0);
    const video = await prepareVideo(path.join(dir, 'clip-0.mp4'), engine.media.video!);
    const savedVideo = await readFile(path.join(inputs, 'clip-0.mp4.f32'));
    expect(savedVideo.byteLength).toBe(video.pixelValues.byteLength);
    expect(Buffer.compare(savedVideo, Buffer.from(video.pixelValues.buffer, video.pixelValues.byteOffset, video.pixelValues.byteLength))).toBe(0);
  });
});
