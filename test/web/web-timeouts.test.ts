/**
 * Issue 19, fault 5: the web chat had no request-body timeout (requestTimeout = 0): a client that
 * sent its headers and then stalled or trickled held its socket and upload buffer forever.
 */
import { WebAdapter } from '../../adapters/web';
import type { WebAdapterOptionsInput } from '../../adapters/web/web-options';
import { httpRequest } from '../helpers/http-client';
import { ScriptedBot } from '../helpers/scripted-bot';
import { slowRequest } from '../helpers/slow-client';

const CONVERSATION = 'tab-0123456789abcdef';
const running: WebAdapter[] = [];

async function start(options: WebAdapterOptionsInput): Promise<{ base: string; bot: ScriptedBot }> {
  const bot = new ScriptedBot();
  const web = new WebAdapter({ bot }, { port: 0, heartbeatMs: 0, partialIntervalMs: 0, ...options });
  await web.start();
  running.push(web);
  return { base: web.address, bot };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((web) => web.stop()));
});

const uploadHead = (length: number): string[] => [
  `POST /api/uploads?conversation=${CONVERSATION}&name=a.png HTTP/1.1`,
  'Host: 127.0.0.1',
  'Content-Type: image/png',
  `Content-Length: ${length}`,
];

describe('web chat: header and body timeouts', () => {
  test('an upload that stops arriving gets 408 after bodyIdleTimeoutMs, politely, and the socket is closed', async () => {
    const { base, bot } = await start({ bodyIdleTimeoutMs: 300 });
    const result = await slowRequest(base, { head: uploadHead(5000), body: 'x'.repeat(100), pieceChars: 100, intervalMs: 10, giveUpMs: 5_000 });
    expect(result.status).toBe(408);
    expect(result.text).toMatch(/connection: close/i);
    expect(result.text).toContain('The upload stopped arriving');
    expect(result.elapsedMs).toBeLessThan(2_000);
    expect(bot.calls).toHaveLength(0);
    // the chat still answers
    expect((await httpRequest(base, '/api/health')).status).toBe(200);
  });

  test('a chat body that never comes gets 408', async () => {
    const { base } = await start({ bodyIdleTimeoutMs: 300 });
    const head = ['POST /api/chat HTTP/1.1', 'Host: 127.0.0.1', 'Content-Type: application/json', 'Content-Length: 50'];
    const result = await slowRequest(base, { head, giveUpMs: 5_000 });
    expect(result.status).toBe(408);
    expect(result.elapsedMs).toBeLessThan(2_000);
  });

  test('an upload trickled a byte every 50 ms is cut at receiveTimeoutMs', async () => {
    const { base } = await start({ bodyIdleTimeoutMs: 1_000, receiveTimeoutMs: 800, headersTimeoutMs: 500 });
    const result = await slowRequest(base, { head: uploadHead(100_000), body: 'x'.repeat(10_000), intervalMs: 50, giveUpMs: 8_000 });
    expect(result.elapsedMs).toBeLessThan(4_000);
    expect(result.status === 408 || result.status === undefined).toBe(true);
  });

  test('headers that never finish are cut at headersTimeoutMs', async () => {
    const { base } = await start({ headersTimeoutMs: 400 });
    const result = await slowRequest(base, { head: uploadHead(10), headChars: 30, giveUpMs: 8_000 });
    expect(result.elapsedMs).toBeLessThan(3_000);
    expect(result.status === 408 || result.status === undefined).toBe(true);
  });

  test('the defaults come from the web config section', () => {
    const web = new WebAdapter({ bot: new ScriptedBot() });
    const options = (web as unknown as { options: Record<string, number> }).options;
    expect(options).toMatchObject({ headersTimeoutMs: 10_000, receiveTimeoutMs: 300_000, bodyIdleTimeoutMs: 15_000 });
  });
});
