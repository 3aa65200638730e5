import { createServer } from 'node:net';
import { openEngine } from '../../src/bot/open-engine';
import { collectAnswer } from '../../src/engine/collect-answer';
import { loadConfig } from '../../src/config/load-config';
import { LegoError } from '../../src/errors';
import { silentLogger } from '../../src/engine/silent-logger';

/** A loopback port with nothing listening on it. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('openEngine', () => {
  it('opens a remote engine from LEGO_ENGINE_KIND=remote and says the model is unavailable when no endpoint answers', async () => {
    const port = await deadPort();
    const { config } = loadConfig({
      env: { LEGO_ENGINE_KIND: 'remote', LEGO_REMOTE_ENDPOINTS: `http://127.0.0.1:${port}` },
    });
    const engine = await openEngine(config, silentLogger);
    expect(engine.name).toMatch(/^remote/);
    const failure = await collectAnswer(engine.generate({ turns: [{ role: 'user', text: 'hello' }] })).then(
      () => undefined,
      (error: unknown) => error,
    );
    await engine.dispose();
    expect(LegoError.is(failure)).toBe(true);
    expect((failure as LegoError).code).toBe('engine-unavailable');
    expect((failure as LegoError).retryable).toBe(true);
  });

  it('names the setting when the kind is unknown to this build', async () => {
    const { config } = loadConfig({ env: {} });
    await expect(openEngine(config, silentLogger, {})).rejects.toThrow(/LEGO_ENGINE_KIND/);
  });
});
