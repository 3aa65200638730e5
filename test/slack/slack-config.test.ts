import { appSections } from '../../src/cli/commands';
import { loadConfig } from '../../src/config/load-config';
import { requireSlackCredentials, SlackConfigSchema } from '../../adapters/slack/slack-config';
import { LegoError } from '../../src/errors';
import { SlackAdapter } from '../../adapters/slack/slack-adapter';
import { FakeSlack } from '../helpers/slack-fake/fake-slack';

describe('slack configuration', () => {
  it("reads Slack's own variable names and LEGO_SLACK_*", () => {
    const { config } = loadConfig({
      sections: appSections(),
      env: {
        SLACK_BOT_TOKEN: 'xoxb-env-token-123456',
        SLACK_SIGNING_SECRET: 'secret-from-env',
        LEGO_SLACK_MODE: 'http',
        LEGO_SLACK_PORT: '4000',
        LEGO_SLACK_ALLOWED_CHANNELS: 'C1, C2',
        LEGO_SLACK_API_URL: 'http://127.0.0.1:9999/api/',
        LEGO_SLACK_ASSISTANT: 'yes',
      },
    });
    expect(config.slack).toEqual(
      expect.objectContaining({
        botToken: 'xoxb-env-token-123456',
        signingSecret: 'secret-from-env',
        mode: 'http',
        port: 4000,
        allowedChannels: ['C1', 'C2'],
        apiUrl: 'http://127.0.0.1:9999/api/',
        assistant: true,
        fileHosts: ['files.slack.com'],
      }),
    );
    expect(loadConfig({ sections: appSections(), env: { LEGO_SLACK_BOT_TOKEN: 'xoxb-lego-name' } }).config.slack.botToken).toBe('xoxb-lego-name');
  });

  it('starts without Slack settings; the adapter names the missing secret, never a value', () => {
    const none = loadConfig({ sections: appSections(), env: {} }).config.slack;
    expect(none.mode).toBe('socket');
    expect(() => requireSlackCredentials(none)).toThrow(/SLACK_BOT_TOKEN.*SLACK_APP_TOKEN/);
    const http = SlackConfigSchema.parse({ mode: 'http', botToken: 'xoxb-secret-value-1' });
    let thrown: unknown;
    try {
      requireSlackCredentials(http);
    } catch (error) {
      thrown = error;
    }
    expect(LegoError.is(thrown, 'config-invalid')).toBe(true);
    expect((thrown as Error).message).toContain('SLACK_SIGNING_SECRET');
    expect((thrown as Error).message).not.toContain('xoxb-secret-value-1');
    expect(requireSlackCredentials({ ...http, signingSecret: 's' })).toEqual({ botToken: 'xoxb-secret-value-1', signingSecret: 's', appToken: undefined });
  });

  it('refuses a bad mode with the variable name', () => {
    expect(() => loadConfig({ sections: appSections(), env: { LEGO_SLACK_MODE: 'carrier-pigeon' } })).toThrow(/LEGO_SLACK_MODE/);
  });
});

describe('starting with a wrong token', () => {
  it('fails with the API error, never the token', async () => {
    const slack = new FakeSlack({ botToken: 'xoxb-the-right-token' });
    await slack.start();
    try {
      const adapter = new SlackAdapter({
        config: SlackConfigSchema.parse({ mode: 'http', host: '127.0.0.1', port: 0, botToken: 'xoxb-wrong-token-4242', signingSecret: 's', apiUrl: slack.apiUrl }),
        handler: { handle: async () => ({ text: '', files: [], boxes: [], spans: [], notices: [] }) },
        clientOptions: { retryConfig: { retries: 0 } },
      });
      let thrown: unknown;
      try {
        await adapter.start();
      } catch (error) {
        thrown = error;
      }
      await adapter.stop();
      expect(LegoError.is(thrown, 'platform-error')).toBe(true);
      expect((thrown as LegoError).message).toContain('invalid_auth');
      expect((thrown as LegoError).retryable).toBe(false);
      expect(JSON.stringify(thrown) + String((thrown as Error).message)).not.toContain('xoxb-wrong-token-4242');
    } finally {
      await slack.stop();
    }
  });
});
