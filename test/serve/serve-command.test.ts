import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/program';
import type { CliIo } from '../../src/cli/cli-io';
import { FakeEngine } from '../helpers/fake-engine';

function bufferIo(): CliIo & { out: () => string } {
  let out = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: () => true },
    stdin: Readable.from([]),
    interactive: false,
    cwd: process.cwd(),
    out: () => out,
  };
}

describe('lego serve (CLI)', () => {
  it('serves the engine on the given host and port until SIGTERM, then exits 0', async () => {
    const io = bufferIo();
    const engine = new FakeEngine({ replies: ['The cat is at [0.1, 0.2, 0.3, 0.4].'] });
    const done = runCli(['serve', '--host', '127.0.0.1', '--port', '0'], io, { engine, env: {} });
    let url: string | undefined;
    for (let i = 0; i < 200 && url === undefined; i += 1) {
      await new Promise((r) => setTimeout(r, 25));
      url = /(http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(io.out())?.[1];
    }
    expect(url).toBeDefined();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'cat?' }] }) });
    const body = (await res.json()) as { choices: { message: { grounding: { boxes: unknown[] } } }[] };
    expect(body.choices[0]!.message.grounding.boxes).toHaveLength(1);
    process.emit('SIGTERM');
    expect(await done).toBe(0);
  });

  it('refuses a bad --port with exit code 1', async () => {
    expect(await runCli(['serve', '--port', '99999'], bufferIo(), { engine: new FakeEngine(), env: {} })).toBe(1);
  });
});
