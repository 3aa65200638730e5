/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
/**
 * The remote engine (profile lego) against a real `lego serve` on models/test-bundle, which has an audio
 * encoder: the engine learns from /v1/models that the server hears, the bot sends an image and a sound,
 * and the sound reaches the served OnnxLegoEngine as its audio encoder's clips.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBot } from '../../src/bot/create-bot';
import { createConversationRuntime } from '../../src/conversation/conversation-runtime';
import type { ConversationRuntime } from '../../src/conversation/conversation-runtime';
import { RemoteEngine } from '../../src/engine/remote/remote-engine';
import type { GenerateRequest } from '../../src/engine/types';
import { greyPng, memoryAttachment, message, testConfig } from '../helpers/bot-fixtures';
import { startLegoServe } from '../helpers/lego-serve-harness';
import type { ServeHarness } from '../helpers/lego-serve-harness';
import { toneFile } from '../media/audio-fixtures';

jest.setTimeout(90_000);

describe('remote engine (lego) → lego serve: an image and a sound', () => {
  let serve: ServeHarness;
  let runtime: ConversationRuntime;
  let dir: string;
  const served: GenerateRequest[] = [];

  beforeAll(async () => {
    serve = await startLegoServe('models/test-bundle');
    const generate = serve.engine.generate.bind(serve.engine);
    jest.spyOn(serve.engine, 'generate').mockImplementation((request, options) => {
      served.push(request);
      return generate(request, options);
    });
    runtime = await createConversationRuntime({});
    dir = mkdtempSync(join(tmpdir(), 'lego-remote-serve-audio-'));
    await toneFile(join(dir, 'hum.ogg'), 'opus', { frequency: 660, seconds: 2 });
  });
  afterAll(async () => {
    await runtime.close();
    await serve.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the sound reaches the served engine beside the image', async () => {
    const engine = await RemoteEngine.connect({ endpoints: [serve.url], profile: 'lego', maxAttempts: 1, healthCheckIntervalMs: 0 });
    try {
      expect(engine.profile.name).toBe('lego');
      expect(engine.media.audio).not.toBeNull();
      expect(engine.media.source?.audio).toEqual({ format: 'wav', sampleRate: serve.engine.media.audio!.sampleRate });
      const config = testConfig({ engine: { generation: { maxNewTokens: 8, temperature: 0 } }, media: { maxAudioDurationSec: 5 } });
      const bot = createBot({ config, engine, runtime });
      const attachments = [memoryAttachment(await greyPng(120, 90), 'scene.png'), memoryAttachment(readFileSync(join(dir, 'hum.ogg')), 'hum.ogg', { contentType: 'audio/ogg' })];
      const reply = await bot.handle(message('Where does this sound come from?', attachments, 'remote-serve-audio:1'));
      expect(reply.error).toBeUndefined();
      const request = served.at(-1)!;
      expect(request.media?.kind).toBe('image');
      const spec = serve.engine.media.audio!;
      expect(request.audio).toMatchObject({ kind: 'audio', source: 'sound', clips: spec.clips });
      expect(request.audio!.features.length).toBe(spec.clips * spec.features.nMels * spec.features.frames);
      expect(request.audio!.durationSec).toBeGreaterThan(1.9);
      expect(request.audio!.durationSec).toBeLessThan(2.1);
    } finally {
      await engine.dispose();
    }
  });
});
