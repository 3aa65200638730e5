/**
 * The pipeline end to end with the real OnnxLegoEngine on models/test-bundle (random weights: the answers
 * are nonsense, but every stage runs for real — preprocessing, encoders, decoder, parsing, rendering).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBot } from '../../src/bot/create-bot';
import { createConversationRuntime } from '../../src/conversation/conversation-runtime';
import type { ConversationRuntime } from '../../src/conversation/conversation-runtime';
import { OnnxLegoEngine } from '../../src/engine/onnx/onnx-lego-engine';
import { greyPng, memoryAttachment, message, testConfig } from '../helpers/bot-fixtures';
import { frameNumberVideo } from '../media/video-fixtures';

describe('bot pipeline with OnnxLegoEngine (test bundle)', () => {
  let engine: OnnxLegoEngine;
  let runtime: ConversationRuntime;
  let dir: string;
  const config = testConfig({ engine: { bundle: 'models/test-bundle', generation: { maxNewTokens: 24, temperature: 0 } } });

  beforeAll(async () => {
    engine = await OnnxLegoEngine.load('models/test-bundle', { intraOpNumThreads: 1 });
    runtime = await createConversationRuntime({});
    dir = mkdtempSync(join(tmpdir(), 'lego-bot-onnx-'));
  });
  afterAll(async () => {
    await runtime.close();
    await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers about an image, then a follow-up, and keeps both exchanges', async () => {
    const bot = createBot({ config, engine, runtime });
    const partials: string[] = [];
    const first = await bot.handle(message('Where is the red star?', [memoryAttachment(await greyPng(120, 90))], 'onnx:1'), {
      partial: (text) => void partials.push(text),
    });
    expect(first.error).toBeUndefined();
    expect(typeof first.text).toBe('string');
    expect(first.text.length).toBeGreaterThan(0);
    for (const box of first.boxes) expect(first.text).toContain(`[${box.ref}]`);
    if (first.boxes.length > 0) expect(first.files.some((f) => f.kind === 'annotated-image')).toBe(true);
    const second = await bot.handle(message('And what colour is it?', [], 'onnx:1'));
    expect(second.error).toBeUndefined();
    const record = await runtime.manager.read('onnx:1');
    expect(record?.turns).toHaveLength(4);
    expect(record?.media).toHaveLength(1);
  });

  it('answers about a video', async () => {
    const path = join(dir, 'clip.mp4');
    await frameNumberVideo(path, { seconds: 2, fps: 10, gop: 10 });
    const bot = createBot({ config, engine, runtime });
    const reply = await bot.handle(message('When does it change?', [memoryAttachment(readFileSync(path), 'clip.mp4')], 'onnx:2'));
    expect(reply.error).toBeUndefined();
    expect(reply.text.length).toBeGreaterThan(0);
    for (const span of reply.spans) {
      expect(span.seconds.start).toBeGreaterThanOrEqual(0);
      expect(reply.text).toContain(`[${span.ref}]`);
    }
  });

  it('a time-out on the real engine is a polite retryable error', async () => {
    const slow = createBot({ config: testConfig({ engine: { timeoutMs: 1, generation: { maxNewTokens: 200 } } }), engine, runtime });
    const reply = await slow.handle(message('Describe everything.', [memoryAttachment(await greyPng(64, 64))], 'onnx:3'));
    expect(reply.error).toEqual({ code: 'engine-timeout', retryable: true });
    expect(await runtime.manager.read('onnx:3')).toBeUndefined();
  });
});
