import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A WAV's header as the stand-in read it from an `input_audio` part. */
export interface ReceivedWav {
  format: string;
  /** 'RIFF' + 'WAVE' with a PCM `fmt ` chunk and a `data` chunk */
  valid: boolean;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** samples in the data chunk / sample rate */
  seconds: number;
}

/** What one chat request carried in its first user message. */
export interface ReceivedRequest {
  model: string | undefined;
  /** the content parts' types, in order */
  partTypes: string[];
  wav: ReceivedWav | undefined;
  text: string;
}

export interface AudioStandIn {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Reads a WAV file's `fmt ` and `data` chunks (any chunk order, odd sizes padded). */
export function readWavHeader(bytes: Buffer, format: string): ReceivedWav {
  const bad: ReceivedWav = { format, valid: false, sampleRate: 0, channels: 0, bitsPerSample: 0, seconds: 0 };
  if (bytes.length < 12 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') return bad;
  let at = 12;
  let fmt: { pcm: boolean; channels: number; sampleRate: number; bits: number } | undefined;
  let dataBytes: number | undefined;
  while (at + 8 <= bytes.length) {
    const id = bytes.toString('ascii', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      fmt = { pcm: bytes.readUInt16LE(at + 8) === 1, channels: bytes.readUInt16LE(at + 10), sampleRate: bytes.readUInt32LE(at + 12), bits: bytes.readUInt16LE(at + 22) };
    } else if (id === 'data') {
      dataBytes = Math.min(size, bytes.length - at - 8);
    }
    at += 8 + size + (size % 2);
  }
  if (fmt === undefined || dataBytes === undefined || !fmt.pcm) return bad;
  const frame = fmt.channels * (fmt.bits / 8);
  return { format, valid: true, sampleRate: fmt.sampleRate, channels: fmt.channels, bitsPerSample: fmt.bits, seconds: dataBytes / frame / fmt.sampleRate };
}

/**
 * An OpenAI-compatible chat server that stands in for a model that hears (`accepts: true`: it reads the
 * `input_audio` WAV and answers with what it heard — its rate and length) or for one that does not
 * (`accepts: false`: any `input_audio` part gets a 400 as vLLM words it). Every request is kept.
 */
export async function startAudioStandIn(options: { accepts: boolean }): Promise<AudioStandIn> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(req.url === '/healthz' ? 200 : 404).end();
        return;
      }
      type Part = { type: string; text?: string; input_audio?: { data: string; format: string } };
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model?: string; messages: { role: string; content: string | Part[] }[] };
      const first = body.messages.find((m) => m.role === 'user');
      const parts: Part[] = typeof first?.content === 'string' ? [{ type: 'text', text: first.content }] : (first?.content ?? []);
      const audio = parts.find((p) => p.type === 'input_audio')?.input_audio;
      const wav = audio === undefined ? undefined : readWavHeader(Buffer.from(audio.data, 'base64'), audio.format);
      const text = parts.filter((p) => p.type === 'text').map((p) => p.text ?? '').join('\n');
      requests.push({ model: body.model, partTypes: parts.map((p) => p.type), wav, text });
      if (audio !== undefined && !options.accepts) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'This model does not support audio input (input_audio content parts).', type: 'BadRequestError', code: null, param: null } }));
        return;
      }
      const answer = wav === undefined ? 'I see a picture and hear nothing.' : `I hear a ${wav.seconds.toFixed(1)} second sound at ${wav.sampleRate} Hz.`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: object, finish: string | null): string =>
        `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: body.model ?? 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: answer }, null));
      res.write(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
