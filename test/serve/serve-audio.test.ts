/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
/**
 * `lego serve` hears OpenAI `input_audio` parts: with the official `openai` client, an image and a sound
 * reach the real OnnxLegoEngine on models/test-bundle (its audio encoder) as one request; a damaged sound,
 * a sound alone asked "where", and a model without ears each get one clear error.
 */
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import type { GenerateRequest } from '../../src/engine/types';
import { OpenAiServer } from '../../adapters/openai-server/openai-server';
import { greyPng } from '../helpers/bot-fixtures';
import { FakeEngine } from '../helpers/fake-engine';
import { startLegoServe } from '../helpers/lego-serve-harness';
import type { ServeHarness } from '../helpers/lego-serve-harness';

jest.setTimeout(60_000);

const WAV = readFileSync('models/test-bundle/reference/audio-case-0.wav');

function imageAndSound(png: Buffer, sound: Buffer, question: string): OpenAI.Chat.ChatCompletionMessageParam[] {
  return [
    {
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
        { type: 'input_audio', input_audio: { data: sound.toString('base64'), format: 'wav' } },
        { type: 'text', text: question },
      ],
    },
  ];
}

describe('lego serve: input_audio', () => {
  let serve: ServeHarness;
  let client: OpenAI;
  const requests: GenerateRequest[] = [];

  beforeAll(async () => {
    serve = await startLegoServe('models/test-bundle');
    const generate = serve.engine.generate.bind(serve.engine);
    jest.spyOn(serve.engine, 'generate').mockImplementation((request, options) => {
      requests.push(request);
      return generate(request, options);
    });
    client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => serve.close());

  it('an image and a sound reach the engine together and an answer comes back', async () => {
    const completion = await client.chat.completions.create({
      model: 'lego',
      messages: imageAndSound(await greyPng(96, 64), WAV, 'Where does this sound come from?'),
      max_tokens: 8,
      temperature: 0,
    });
    expect(completion.choices[0]?.message.role).toBe('assistant');
    const request = requests.at(-1)!;
    expect(request.media?.kind).toBe('image');
    expect(request.audio).toMatchObject({ kind: 'audio', source: 'sound', clips: serve.engine.media.audio!.clips });
    expect(request.audio!.features.length).toBe(serve.engine.media.audio!.clips * 64 * 98);
  });

  it('streams too, and a sound alone may be named', async () => {
    const stream = await client.chat.completions.create({
      model: 'lego',
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: WAV.toString('base64'), format: 'wav' } }, { type: 'text', text: 'What makes this sound?' }] }],
      max_tokens: 4,
      stream: true,
    });
    let chunks = 0;
    for await (const _chunk of stream) chunks += 1;
    expect(chunks).toBeGreaterThan(0);
    expect(requests.at(-1)?.media).toBeUndefined();
    expect(requests.at(-1)?.audio?.source).toBe('sound');
  });

  it('a damaged sound and a sound alone asked "where" each get one clear error, and nothing reaches the engine', async () => {
    const before = requests.length;
    const damaged = Buffer.concat([WAV.subarray(0, 12), Buffer.alloc(3000, 0x5a)]);
    await expect(
      client.chat.completions.create({ model: 'lego', messages: imageAndSound(await greyPng(40, 40), damaged, 'Where is the sound from?') }),
    ).rejects.toMatchObject({ status: 400, code: 'media-corrupt', param: 'messages.0.content.1.input_audio' });
    const alone = client.chat.completions.create({
      model: 'lego',
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: WAV.toString('base64'), format: 'wav' } }, { type: 'text', text: 'Where does it come from?' }] }],
    });
    await expect(alone).rejects.toMatchObject({ status: 400, code: 'bad-input' });
    await expect(alone).rejects.toThrow('To show where a sound comes from I need the picture too: please send an image together with the sound.');
    expect(requests.length).toBe(before);
  });

  it('a model without an audio encoder says it cannot listen', async () => {
    const server = new OpenAiServer(new FakeEngine({ fallback: 'A star.' }), { host: '127.0.0.1', port: 0, processMetrics: false });
    const url = await server.start();
    try {
      const other = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const call = other.chat.completions.create({ model: 'lego', messages: imageAndSound(await greyPng(40, 40), WAV, 'Where?') });
      await expect(call).rejects.toMatchObject({ status: 415, code: 'unsupported-media' });
    } finally {
      await server.stop();
    }
  });
});
