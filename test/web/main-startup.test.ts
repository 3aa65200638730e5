/** @jest-environment ./test/helpers/onnx-jest-environment.ts */
import { appSections } from '../../src/cli/commands';
import { Writable } from 'node:stream';
import { ADAPTERS, checkBundle, startMain } from '../../src/main';
import { loadConfig } from '../../src/config';
import { LegoError } from '../../src/errors';
import { FakeEngine } from '../helpers/fake-engine';
import { httpRequest } from '../helpers/http-client';

const quietLogs = { write: () => undefined } as unknown as Writable;

describe('main job (src/main.ts)', () => {
  test('a missing bundle fails with the path and how to build it', () => {
    const config = loadConfig({ sections: appSections(), env: { LEGO_ENGINE_BUNDLE: 'models/no-such-bundle' } }).config;
    expect(() => checkBundle(config)).toThrow(LegoError);
    expect(() => checkBundle(config)).toThrow(/models\/no-such-bundle.*manifest\.json is missing.*LEGO_ENGINE_BUNDLE/);
    const tiny = loadConfig({ sections: appSections(), env: { LEGO_ENGINE_BUNDLE: 'models/lego-tiny-missing-for-test' } }).config;
    expect(() => checkBundle(tiny)).toThrow(/docs\/bundle-format\.md/);
    expect(() => checkBundle(loadConfig({ sections: appSections(), env: { LEGO_ENGINE_BUNDLE: 'models/test-bundle' } }).config)).not.toThrow();
  });

  test('with no tokens only the web chat runs; its address is printed; stop() closes it', async () => {
    const lines: string[] = [];
    const engine = new FakeEngine({ replies: ['Hello from the main job.'] });
    const job = await startMain({ env: { LEGO_WEB_PORT: '0' }, engine, print: (line) => lines.push(line), logDestination: quietLogs });
    try {
      expect(job.adapters.map((a) => a.name)).toEqual(['web']);
      expect(lines).toContain(`LEGO bot web chat: ${job.web!.address}`);
      expect(job.web!.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const page = await httpRequest(job.web!.address, '/');
      expect(page.status).toBe(200);
      const res = await httpRequest(job.web!.address, '/api/chat', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ conversation: 'main-test-conversation', text: 'help' }),
      });
      expect(res.text).toContain('event: reply');
      expect(res.text).toMatch(/box 2/);
    } finally {
      await job.stop();
      await job.stop();
    }
    await expect(httpRequest('http://127.0.0.1:1', '/')).rejects.toThrow();
  });

  test('a job with its own engine starts and stops; a bad setting fails naming its env var', async () => {
    await expect(startMain({ env: { LEGO_WEB_PORT: 'eighty' }, print: () => undefined, logDestination: quietLogs })).rejects.toThrow(/LEGO_WEB_PORT/);
    const job = await startMain({
      env: { LEGO_WEB_PORT: '0', LEGO_ENGINE_BUNDLE: 'models/test-bundle', LEGO_ENGINE_THREADS: '1' },
      print: () => undefined,
      logDestination: quietLogs,
    });
    const address = job.web!.address;
    await job.stop();
    await expect(httpRequest(address, '/')).rejects.toThrow();
  });

  test('Discord and Slack are registered, and enabled only by their tokens', () => {
    const none = loadConfig({ sections: appSections(), env: {} }).config;
    expect(ADAPTERS.filter((a) => a.enabled(none)).map((a) => a.name)).toEqual(['web']);
    const both = loadConfig({ sections: appSections(), env: { DISCORD_TOKEN: 'x'.repeat(30), SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' } }).config;
    expect(ADAPTERS.filter((a) => a.enabled(both)).map((a) => a.name)).toEqual(['web', 'discord', 'slack']);
  });
});
