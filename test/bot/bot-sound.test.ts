/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
/**
 * Sound through the pipeline with the real OnnxLegoEngine on models/test-bundle (random weights: the
 * words are nonsense, every stage runs for real): an image and a sound in one message are one media
 * context, follow-ups hear the sound again, a sound alone is named but not placed, a video brings its
 * soundtrack, and bad sounds each get one sentence.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBot } from '../../src/bot/create-bot';
import { createConversationRuntime } from '../../src/conversation/conversation-runtime';
import type { ConversationRuntime } from '../../src/conversation/conversation-runtime';
import { OnnxLegoEngine } from '../../src/engine/onnx/onnx-lego-engine';
import { RecordingEngine } from '../helpers/recording-engine';
import { FakeEngine } from '../helpers/fake-engine';
import { greyPng, memoryAttachment, message, testConfig } from '../helpers/bot-fixtures';
import { silentWav, toneFile, videoWithSound } from '../media/audio-fixtures';

jest.setTimeout(60_000);


describe('bot pipeline with sounds (test bundle)', () => {
  let onnx: OnnxLegoEngine;
  let engine: RecordingEngine;
  let runtime: ConversationRuntime;
  let dir: string;
  let wav: Buffer;
  const config = testConfig({ engine: { bundle: 'models/test-bundle', generation: { maxNewTokens: 12, temperature: 0 } }, media: { maxAudioDurationSec: 5 } });

  beforeAll(async () => {
    onnx = await OnnxLegoEngine.load('models/test-bundle', { intraOpNumThreads: 1 });
    engine = new RecordingEngine(onnx);
    runtime = await createConversationRuntime({});
    dir = mkdtempSync(join(tmpdir(), 'lego-bot-sound-'));
    await toneFile(join(dir, 'hum.ogg'), 'opus', { frequency: 660, seconds: 2 });
    wav = readFileSync(join('models/test-bundle/reference/audio-case-0.wav'));
  });
  afterAll(async () => {
    await runtime.close();
    await onnx.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hears an image and a sound sent together as one media context, and again in a follow-up', async () => {
    const bot = createBot({ config, engine, runtime });
    const attachments = [memoryAttachment(await greyPng(120, 90), 'scene.png'), memoryAttachment(readFileSync(join(dir, 'hum.ogg')), 'voice-message.ogg', { contentType: 'audio/ogg' })];
    const first = await bot.handle(message('Where does this sound come from?', attachments, 'sound:1'));
    expect(first.error).toBeUndefined();
    expect(first.notices.filter((n) => /files/.test(n))).toEqual([]);
    const asked = engine.requests.at(-1)!;
    expect(asked.media?.kind).toBe('image');
    expect(asked.audio).toMatchObject({ kind: 'audio', source: 'sound', clips: onnx.media.audio!.clips });
    const record = await runtime.manager.read('sound:1');
    expect(record?.media).toHaveLength(1);
    expect(record?.media[0]).toMatchObject({ kind: 'image', name: 'scene.png', sound: { name: 'voice-message.ogg', mime: 'audio/ogg' } });

    // a new bot (an empty tensor cache): the follow-up gets image and sound back from the blob store
    const again = createBot({ config, engine, runtime });
    const second = await again.handle(message('And what colour is it?', [], 'sound:1'));
    expect(second.error).toBeUndefined();
    const followUp = engine.requests.at(-1)!;
    expect(followUp.media?.kind).toBe('image');
    expect(Array.from(followUp.audio!.features)).toEqual(Array.from(asked.audio!.features));
    expect(followUp.turns.filter((t) => t.role === 'user')).toHaveLength(2);
  });

  it('pairs only an image with a sound, and says which files it looked at', async () => {
    const bot = createBot({ config, engine, runtime });
    const png = await greyPng(40, 30);
    const three = [memoryAttachment(wav, 'a.wav'), memoryAttachment(png, 'b.png'), memoryAttachment(await greyPng(50, 50), 'c.png')];
    const reply = await bot.handle(message('Which shape makes this sound?', three, 'sound:6'));
    expect(reply.notices).toContain('You sent 3 files; I looked at a.wav and b.png only.');
    expect(engine.requests.at(-1)).toMatchObject({ media: { kind: 'image' }, audio: { source: 'sound' } });
    const twoImages = await bot.handle(message('What is this?', [memoryAttachment(png, 'd.png'), memoryAttachment(await greyPng(20, 20), 'e.png')], 'sound:7'));
    expect(twoImages.notices).toContain('You sent 2 files; I looked at the first one (d.png) only.');
    expect(engine.requests.at(-1)?.audio).toBeUndefined();
  });

  it('names a sound alone, and asks for the picture when the question wants a place', async () => {
    const bot = createBot({ config, engine, runtime });
    const named = await bot.handle(message('', [memoryAttachment(wav, 'sound.wav')], 'sound:2'));
    expect(named.error).toBeUndefined();
    const asked = engine.requests.at(-1)!;
    expect(asked.media).toBeUndefined();
    expect(asked.audio?.source).toBe('sound');
    expect(asked.turns.at(-1)?.text).toBe('What makes this sound?');
    const count = engine.requests.length;
    const where = await bot.handle(message('Where does it come from?', [], 'sound:2'));
    expect(where.text).toBe('To show where a sound comes from I need the picture too: please send an image together with the sound.');
    expect(engine.requests).toHaveLength(count);
  });

  it('hears an MP4 that holds only sound (an Android voice recording) as a sound', async () => {
    const { ffmpeg } = await import('../media/video-fixtures');
    await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=550:sample_rate=44100:duration=2', '-c:a', 'aac', '-f', 'mp4', join(dir, 'voice.mp4')]);
    const bytes = readFileSync(join(dir, 'voice.mp4'));
    const bot = createBot({ config, engine, runtime });
    const reply = await bot.handle(message('What makes this sound?', [memoryAttachment(bytes, 'voice.mp4')], 'sound:8'));
    expect(reply.error).toBeUndefined();
    expect(engine.requests.at(-1)).toMatchObject({ audio: { source: 'sound' } });
    expect(engine.requests.at(-1)?.media).toBeUndefined();
    expect((await runtime.manager.read('sound:8'))?.media[0]?.kind).toBe('audio');
  });

  it("hears a video's soundtrack with the video", async () => {
    await videoWithSound(join(dir, 'clip.mp4'), { seconds: 3, frequency: 440, container: 'mp4' });
    const bot = createBot({ config, engine, runtime });
    const reply = await bot.handle(message('When is the sound heard?', [memoryAttachment(readFileSync(join(dir, 'clip.mp4')), 'clip.mp4')], 'sound:3'));
    expect(reply.error).toBeUndefined();
    const asked = engine.requests.at(-1)!;
    expect(asked.media?.kind).toBe('video');
    expect(asked.audio).toMatchObject({ source: 'soundtrack', clips: onnx.media.audio!.soundtrackClips });
  });

  it('answers a silent, a damaged and an over-long sound with one sentence each, and the conversation goes on', async () => {
    await silentWav(join(dir, 'silence.wav'), 2);
    await toneFile(join(dir, 'long.mp3'), 'mp3', { seconds: 7 });
    const bot = createBot({ config, engine, runtime });
    const damaged = Buffer.concat([wav.subarray(0, 12), Buffer.alloc(3000, 0x5a)]);
    const cases: Array<[string, Buffer, string, RegExp]> = [
      ['silence.wav', readFileSync(join(dir, 'silence.wav')), 'bad-input', /^Sorry, I could not hear anything in that sound: it seems to be silent\.$/],
      ['broken.wav', damaged, 'media-corrupt', /^Sorry, that sound file seems to be damaged and I could not open it\.$/],
      ['long.mp3', readFileSync(join(dir, 'long.mp3')), 'too-large', /^Sorry, that sound is too long for me \(the limit is 5 seconds\)\.$/],
    ];
    for (const [name, bytes, code, sentence] of cases) {
      const reply = await bot.handle(message('What makes this sound?', [memoryAttachment(bytes, name)], 'sound:4'));
      expect([name, reply.error?.code]).toEqual([name, code]);
      expect(reply.text).toMatch(sentence);
    }
    const ok = await bot.handle(message('What makes this sound?', [memoryAttachment(wav, 'sound.wav')], 'sound:4'));
    expect(ok.error).toBeUndefined();
  });

  it('draws the sound: its source box in the legend, a soundtrack under the timeline', async () => {
    const hearing = (reply: string) => new FakeEngine({ media: onnx.media, fallback: reply });
    const long = testConfig({ engine: { generation: { maxNewTokens: 200 } } });
    const pair = [memoryAttachment(await greyPng(200, 150), 'scene.png'), memoryAttachment(wav, 'hum.wav')];
    const located = await createBot({ config: long, engine: hearing('The sound comes from the red star at [0.100, 0.100, 0.400, 0.400].'), runtime }).handle(
      message('Where does this sound come from?', pair, 'sound:9'),
    );
    expect(located.files.find((f) => f.kind === 'annotated-image')?.description).toMatch(/\[1\] is the source of the sound/);
    const plain = await createBot({ config: long, engine: hearing('The red star is at [0.100, 0.100, 0.400, 0.400].'), runtime }).handle(message('Where is the red star?', [], 'sound:9'));
    expect(plain.files.find((f) => f.kind === 'annotated-image')?.description).not.toMatch(/source of the sound/);
    const heard = await createBot({ config: long, engine: hearing('The red star is heard during {0.20, 0.60}.'), runtime }).handle(
      message('When is the red star heard?', [memoryAttachment(readFileSync(join(dir, 'clip.mp4')), 'clip.mp4')], 'sound:10'),
    );
    expect(heard.files.find((f) => f.kind === 'timeline')?.description).toMatch(/over its soundtrack$/);
  });

  it('a model without an audio encoder refuses a sound with one sentence', async () => {
    const bot = createBot({ config: testConfig(), engine: new FakeEngine({ fallback: 'A red star.' }), runtime });
    const reply = await bot.handle(message('What makes this sound?', [memoryAttachment(wav, 'sound.wav')], 'sound:5'));
    expect(reply.error?.code).toBe('unsupported-media');
    expect(reply.text).toBe('Sorry, this model cannot listen to sounds; please send me images and videos instead.');
  });
});
