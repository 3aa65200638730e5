/**
 * Sounds through the remote engine and the bot pipeline: a family that hears gets the sound as an
 * `input_audio` 16-bit WAV beside the image (the stand-in reads its rate and length); a server that
 * refuses the sound gets the user one clear sentence and the conversation is kept; families that do not
 * hear are refused up front by the bot, as before.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBot } from '../../src/bot/create-bot';
import { createConversationRuntime } from '../../src/conversation/conversation-runtime';
import type { ConversationRuntime } from '../../src/conversation/conversation-runtime';
import { REMOTE_PROFILES } from '../../src/engine/remote/profile-table';
import { RemoteEngine } from '../../src/engine/remote/remote-engine';
import { LEGO_7B_MEDIA } from '../../src/engine/remote/remote-options';
import { encodeWav16 } from '../../src/media/wav-encode';
import { startAudioStandIn, readWavHeader } from '../helpers/audio-stand-in';
import type { AudioStandIn } from '../helpers/audio-stand-in';
import { greyPng, memoryAttachment, message, testConfig } from '../helpers/bot-fixtures';
import { toneFile } from '../media/audio-fixtures';

jest.setTimeout(60_000);

function remote(url: string, model: string): RemoteEngine {
  return new RemoteEngine({ endpoints: [url], model, maxAttempts: 1, healthCheckIntervalMs: 0 });
}

describe('remote engine: sounds', () => {
  let runtime: ConversationRuntime;
  let dir: string;
  let hum: Buffer;
  let hears: AudioStandIn;
  let deaf: AudioStandIn;
  const config = testConfig({ media: { maxAudioDurationSec: 5 } });

  beforeAll(async () => {
    runtime = await createConversationRuntime({});
    dir = mkdtempSync(join(tmpdir(), 'lego-remote-audio-'));
    await toneFile(join(dir, 'hum.ogg'), 'opus', { frequency: 660, seconds: 2 });
    hum = readFileSync(join(dir, 'hum.ogg'));
    hears = await startAudioStandIn({ accepts: true });
    deaf = await startAudioStandIn({ accepts: false });
  });
  afterAll(async () => {
    await hears.close();
    await deaf.close();
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('profiles say which families hear', () => {
    expect(REMOTE_PROFILES.gemini.audio).toBe(true);
    expect(REMOTE_PROFILES['qwen2.5-omni'].audio).toBe(true);
    expect(REMOTE_PROFILES['qwen3-omni'].audio).toBe(true);
    expect(REMOTE_PROFILES.lego.audio).toBe('if-served');
    for (const name of ['qwen2.5-vl', 'qwen3-vl', 'florence-2', 'kosmos-2'] as const) expect(REMOTE_PROFILES[name].audio).toBe(false);
    expect(remote(hears.url, 'Qwen/Qwen2.5-Omni-7B').profile.name).toBe('qwen2.5-omni');
    expect(remote(hears.url, 'Qwen/Qwen3-Omni-30B-A3B-Instruct').profile.name).toBe('qwen3-omni');
    expect(remote(hears.url, 'Qwen/Qwen2.5-VL-7B-Instruct').media.source?.audio).toBeNull();
    // lego: only when the server's media settings name an audio encoder
    expect(new RemoteEngine({ endpoints: [hears.url], model: 'lego', media: LEGO_7B_MEDIA }).media.source?.audio).toBeUndefined();
  });

  it('encodes a 16-bit PCM WAV the stand-in reads back', () => {
    const samples = new Float32Array(16_000 * 3).map((_, i) => Math.sin(i / 10));
    const wav = encodeWav16(samples, 16_000);
    expect(readWavHeader(wav, 'wav')).toEqual({ format: 'wav', valid: true, sampleRate: 16_000, channels: 1, bitsPerSample: 16, seconds: 3 });
    expect(wav.readInt16LE(44 + 2 * 16)).toBe(Math.round(Math.sin(1.6) * 0x7fff));
  });

  it('sends an image and a sound to a family that hears: input_audio beside the image, a 16 kHz WAV of the sound', async () => {
    const engine = remote(hears.url, 'Qwen/Qwen2.5-Omni-7B');
    const bot = createBot({ config, engine, runtime });
    const attachments = [memoryAttachment(await greyPng(120, 90), 'scene.png'), memoryAttachment(hum, 'voice-message.ogg', { contentType: 'audio/ogg' })];
    const reply = await bot.handle(message('What makes this sound?', attachments, 'remote-audio:1'));
    expect(reply.error).toBeUndefined();
    const got = hears.requests.at(-1)!;
    expect(got.partTypes).toEqual(['image_url', 'input_audio', 'text']);
    expect(got.wav).toMatchObject({ valid: true, format: 'wav', sampleRate: 16_000, channels: 1, bitsPerSample: 16 });
    expect(got.wav!.seconds).toBeGreaterThan(1.9);
    expect(got.wav!.seconds).toBeLessThan(2.1);
    expect(reply.text).toContain('I hear a 2.0 second sound at 16000 Hz');

    // a follow-up hears the sound again (the conversation keeps it)
    const again = await bot.handle(message('And is it loud?', [], 'remote-audio:1'));
    expect(again.error).toBeUndefined();
    expect(hears.requests.at(-1)!.partTypes).toEqual(['image_url', 'input_audio', 'text']);
    await engine.dispose();
  });

  it('a server that refuses the sound: one clear sentence, and the conversation is kept', async () => {
    const engine = remote(deaf.url, 'gemini-2.5-flash');
    const bot = createBot({ config, engine, runtime });
    // a conversation about a picture…
    const first = await bot.handle(message('What is this?', [memoryAttachment(await greyPng(120, 90), 'scene.png')], 'remote-audio:2'));
    expect(first.error).toBeUndefined();
    const before = await runtime.manager.read('remote-audio:2');
    expect(before?.turns).toHaveLength(2);
    // …then a sound, which this server refuses
    const refused = await bot.handle(message('What makes this sound?', [memoryAttachment(hum, 'hum.ogg', { contentType: 'audio/ogg' })], 'remote-audio:2'));
    expect(deaf.requests.at(-1)!.partTypes).toEqual(['input_audio', 'text']);
    expect(refused.error).toMatchObject({ code: 'unsupported-media', retryable: false });
    expect(refused.text).toBe(
      'Sorry, the model I use (gemini-2.5-flash) cannot listen to sounds; ask again without the sound, or ask whoever runs me to pick a model that hears.',
    );
    // the conversation is intact: its turns and its picture, and the next question goes on with them
    const after = await runtime.manager.read('remote-audio:2');
    expect(after?.turns).toEqual(before?.turns);
    const next = await bot.handle(message('And what colour is it?', [], 'remote-audio:2'));
    expect(next.error).toBeUndefined();
    expect(deaf.requests.at(-1)!.partTypes).toEqual(['image_url', 'text']);
    expect((await runtime.manager.read('remote-audio:2'))?.turns).toHaveLength(4);

    // an image and a sound together: the same sentence
    const both = await bot.handle(message('Where is it?', [memoryAttachment(await greyPng(120, 90), 'scene.png'), memoryAttachment(hum, 'hum.ogg', { contentType: 'audio/ogg' })], 'remote-audio:5'));
    expect(deaf.requests.at(-1)!.partTypes).toEqual(['image_url', 'input_audio', 'text']);
    expect(both.error).toMatchObject({ code: 'unsupported-media' });
    expect(both.text).toMatch(/^Sorry, the model I use \(gemini-2\.5-flash\) cannot listen to sounds;/);
    await engine.dispose();
  });

  it('a family that does not hear is refused before anything is sent', async () => {
    const engine = remote(hears.url, 'Qwen/Qwen2.5-VL-7B-Instruct');
    const before = hears.requests.length;
    const bot = createBot({ config, engine, runtime });
    const reply = await bot.handle(message('What makes this sound?', [memoryAttachment(hum, 'hum.ogg', { contentType: 'audio/ogg' })], 'remote-audio:3'));
    expect(reply.text).toMatch(/cannot listen to sounds/);
    expect(hears.requests.length).toBe(before);
    // beside an image, the sound is left out (the bot says it looked at the image only) and nothing carries it
    const both = await bot.handle(message('What is this?', [memoryAttachment(await greyPng(120, 90), 'scene.png'), memoryAttachment(hum, 'hum.ogg', { contentType: 'audio/ogg' })], 'remote-audio:4'));
    expect(both.error).toBeUndefined();
    expect(hears.requests.at(-1)!.partTypes).toEqual(['image_url', 'text']);
    await engine.dispose();
  });
});
