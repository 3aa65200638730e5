import { createLogger, scrubText } from '../../src/logger';

function capture(level: 'info' | 'debug' = 'info', pretty = false): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const logger = createLogger({ level, pretty }, { destination: { write: (line: string) => void lines.push(line) } });
  return { lines, logger };
}

const DISCORD_TOKEN = 'MTA5OTk5OTk5OTk5OTk5OTk5OQ.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB';
const SLACK_TOKEN = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

describe('logger', () => {
  it.each([false, true])('never writes a token or secret (pretty %s)', (pretty) => {
    const { lines, logger } = capture('debug', pretty);
    logger.info({ token: DISCORD_TOKEN, config: { slack: { botToken: SLACK_TOKEN, signingSecret: SIGNING_SECRET } } }, 'starting');
    logger.warn({ headers: { Authorization: `Bearer ${SLACK_TOKEN}`, authorization: `Bot ${DISCORD_TOKEN}` } }, 'request failed');
    logger.error({ err: new Error(`login failed for ${DISCORD_TOKEN}`, { cause: new Error(`slack said no to ${SLACK_TOKEN}`) }) }, 'boom');
    logger.info(`fetched https://files.slack.com/x?token=${SIGNING_SECRET}&a=1 with Bearer ${SLACK_TOKEN}`);
    logger.info({ url: 'redis://default:hunter2hunter2@127.0.0.1:6379' }, 'store');
    logger.debug({ nested: [{ apiKey: 'sk-abcdefghijklmnop' }] }, 'deep');
    const all = lines.join('');
    expect(lines.length).toBe(6);
    for (const secret of [DISCORD_TOKEN, SLACK_TOKEN, SIGNING_SECRET, 'hunter2hunter2', 'sk-abcdefghijklmnop']) {
      expect(all).not.toContain(secret);
    }
    expect(all).toContain('[redacted]');
    expect(all).toContain('login failed for');
    expect(all).toContain('starting');
  });

  it('keeps ordinary text and respects the level', () => {
    const { lines, logger } = capture('info');
    logger.debug('hidden');
    logger.info({ conversation: 'discord:1:2', boxes: 2 }, 'answered');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ conversation: 'discord:1:2', boxes: 2, msg: 'answered' });
    expect(scrubText('a box [0.1, 0.2, 0.3, 0.4] in image 2')).toBe('a box [0.1, 0.2, 0.3, 0.4] in image 2');
  });
});
