/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { collectAnswer } from '../../src/engine/collect-answer';
import { RemoteEngine } from '../../src/engine/remote/remote-engine';
import type { CollectedAnswer, GenerateRequest, Part } from '../../src/engine/types';
import { prepareImage } from '../../src/media/prepare-image';
import { prepareVideo } from '../../src/media/prepare-video';
import { closeServer, deadEndpoint, rateLimitingProxy, servedBundles, startLegoServe } from '../helpers/lego-serve-harness';
import type { ServeHarness } from '../helpers/lego-serve-harness';
import { referenceCases, TEST_BUNDLE } from '../helpers/reference-bundle';
import { ffmpeg } from '../media/video-fixtures';

function comparable(answer: CollectedAnswer): unknown {
  return { text: answer.text, reason: answer.finish.reason, tokenIds: answer.finish.tokenIds, boxes: answer.boxes, spans: answer.spans };
}

async function readAll(stream: AsyncIterable<Part>): Promise<Part[]> {
  const parts: Part[] = [];
  for await (const p of stream) parts.push(p);
  return parts;
}

for (const bundle of servedBundles(TEST_BUNDLE)) {
  describe(`RemoteEngine -> lego serve -> OnnxLegoEngine (${path.basename(bundle)})`, () => {
    let serve: ServeHarness;
    let remote: RemoteEngine;
    let dir: string;
    beforeAll(async () => {
      serve = await startLegoServe(bundle);
      remote = await RemoteEngine.connect({ endpoints: [serve.url], healthCheckIntervalMs: 0 }); // syntax: auto, the default
      dir = await mkdtemp(path.join(tmpdir(), 'lego-remote-e2e-'));
    });
    afterAll(async () => {
      await remote?.dispose();
      await serve?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('discovers the served model and its media spec', () => {
      // the served engine's spec, plus what the remote engine sends as source media: where the served bundle
      // has an audio encoder (the test bundle) the sound goes as a WAV; images and videos go as LEGO's own tensors
      const { source, ...spec } = remote.media;
      expect(spec).toEqual(JSON.parse(JSON.stringify(serve.engine.media)));
      if (serve.engine.media.audio) expect(source).toEqual({ image: null, video: null, audio: { format: 'wav', sampleRate: 16000 } });
      else expect(source).toBeUndefined();
      expect(remote.name).toBe(`remote:${serve.engine.name}`);
    });

    const imageCases = referenceCases(TEST_BUNDLE).filter((c) => c.media.kind === 'image');
    for (const c of imageCases) {
      it(`gives the same text, tokens and boxes as in process, greedy (${c.name}, ${c.turns.length} turns)`, async () => {
        const bytes = readFileSync(path.join(TEST_BUNDLE, c.media.source!));
        const media = await prepareImage(bytes, serve.engine.media.image!);
        const request: GenerateRequest = { turns: c.turns, media, options: { temperature: 0, maxNewTokens: 40 } };
        const local = await collectAnswer(serve.engine.generate(request));
        const viaHttp = await collectAnswer(remote.generate(request));
        expect(comparable(viaHttp)).toEqual(comparable(local));
        expect(viaHttp.finish.usage).toEqual(local.finish.usage);
      });
    }

    it('gives the same answer for a video (frames sent losslessly, spans mapped to the original seconds)', async () => {
      const file = path.join(dir, 'clip.mp4');
      await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=10:duration=3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file]);
      const media = await prepareVideo(file, serve.engine.media.video!);
      const request: GenerateRequest = { turns: [{ role: 'user', text: 'When does the ball move?' }], media, options: { temperature: 0, maxNewTokens: 40 } };
      const local = await collectAnswer(serve.engine.generate(request));
      const viaHttp = await collectAnswer(remote.generate(request));
      expect(comparable(viaHttp)).toEqual(comparable(local));
    });

    it('text only, several turns: the same answer', async () => {
      const request: GenerateRequest = {
        turns: [
          { role: 'user', text: 'Hello there.' },
          { role: 'assistant', text: 'Hi. [0.100, 0.200, 0.300, 0.400]' },
          { role: 'user', text: 'And now?' },
        ],
        options: { temperature: 0, maxNewTokens: 30 },
      };
      expect(comparable(await collectAnswer(remote.generate(request)))).toEqual(comparable(await collectAnswer(serve.engine.generate(request))));
    });
  });
}

describe('RemoteEngine failover and retries against lego serve (test bundle)', () => {
  let serve: ServeHarness;
  const request: GenerateRequest = { turns: [{ role: 'user', text: 'Where is the red star?' }], options: { temperature: 0, maxNewTokens: 12 } };
  let expected: unknown;
  beforeAll(async () => {
    serve = await startLegoServe(TEST_BUNDLE);
    expected = comparable(await collectAnswer(serve.engine.generate(request)));
  });
  afterAll(async () => {
    await serve?.close();
  });

  it('two endpoints, one dead: answers, and the dead one is marked down', async () => {
    const dead = await deadEndpoint();
    for (const balance of ['round-robin', 'least-in-flight'] as const) {
      const remote = new RemoteEngine({ endpoints: [dead, serve.url], balance, media: serve.engine.media, model: 'm', healthCheckIntervalMs: 0, retryBaseMs: 10 });
      try {
        for (let i = 0; i < 3; i += 1) expect(comparable(await collectAnswer(remote.generate(request)))).toEqual(expected);
        expect(remote.endpoints.find((e) => e.url === dead)!.downUntil).toBeGreaterThan(0);
        expect(remote.endpoints.find((e) => e.url === serve.url)!.consecutiveFailures).toBe(0);
      } finally {
        await remote.dispose();
      }
    }
  });

  it('all endpoints dead: one engine-unavailable error part, retryable, with the polite message', async () => {
    const remote = new RemoteEngine({ endpoints: [await deadEndpoint(), await deadEndpoint()], media: serve.engine.media, model: 'm', healthCheckIntervalMs: 0, retryBaseMs: 10 });
    try {
      const parts = await readAll(remote.generate(request));
      expect(parts).toHaveLength(1);
      const part = parts[0]!;
      expect(part.type).toBe('error');
      if (part.type !== 'error') return;
      expect(part.error).toMatchObject({ code: 'engine-unavailable', retryable: true });
      expect(part.error.userMessage).toBe('The model is unavailable right now, please try again in a moment.');
    } finally {
      await remote.dispose();
    }
  });

  it('429 with Retry-After: waits for it and retries, then gives the same answer', async () => {
    const proxy = await rateLimitingProxy(serve.url, 1, '0.4');
    const remote = new RemoteEngine({ endpoints: [proxy.url], media: serve.engine.media, model: 'm', healthCheckIntervalMs: 0, retryBaseMs: 10 });
    try {
      expect(comparable(await collectAnswer(remote.generate(request)))).toEqual(expected);
      expect(proxy.hits).toHaveLength(2);
      expect(proxy.hits[1]! - proxy.hits[0]!).toBeGreaterThanOrEqual(350);
    } finally {
      await remote.dispose();
      await proxy.close();
    }
  });

  it('bad requests to lego serve get 4xx JSON errors', async () => {
    const post = (body: string): Promise<Response> =>
      fetch(`${serve.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    for (const [body, status] of [
      ['{not json', 400],
      [JSON.stringify({ messages: [] }), 400],
      [JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }] }), 415],
      [JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], max_tokens: -3 }), 400],
    ] as const) {
      const res = await post(body);
      expect([body, res.status]).toEqual([body, status]);
      const json = (await res.json()) as { error: { message: string; type: string; code: string } };
      expect(json.error.type).toBe('invalid_request_error');
      expect(typeof json.error.message).toBe('string');
    }
  });

  it('a media URL on 127.0.0.1 is refused by default, even with URL fetching on', async () => {
    const other = await startLegoServe(TEST_BUNDLE, { fetch: { allowUrlFetch: true } });
    try {
      for (const url of [serve.url, other.url]) {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `${serve.url}/healthz` } }, { type: 'text', text: 'hi' }] }] }),
        });
        expect(res.status).toBe(403);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('download-refused');
      }
    } finally {
      await other.close();
    }
  });
});

void closeServer;
