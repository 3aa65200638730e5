/**
 * Issue 19, fault 8: the scrubber missed Discord token shapes (ids of 26+ characters, not starting
 * with M/N/O; 7-character middles; 38-character HMACs), and main.ts's "could not start" line and
 * uncaught errors were printed without it. Every token below is fake but shaped like a real one.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { createLogger } from '../../src/logger';
import { REDACTED, scrubbedErrorText, scrubText } from '../../src/log-scrubber';

const TOKENS: Record<string, string> = {
  'Discord, 2017-style (M…, 24-char id)': 'MzA1NjE4NDA3NjE0NTk5MTY5.C-ltTw.KP6bmYwGwBSUNIrPKnLHgG3FkVk',
  'Discord, 19-digit id (26-char id, 38-char HMAC)': 'MTE4ODk3Njk5NzE5NjAwNjQyNw.GhT2kq.4dXbN0zVfKqWmRbM7pL2sY9cA1eU5oI3tGhJ8k',
  'Discord, id starting with O': 'OTk5OTk5OTk5OTk5OTk5OTk5.YAbCdE.abcdefghijklmnopqrstuvwxyz_-0',
  'Discord, 7-char middle': 'MTA5OTk5OTk5OTk5OTk5OTk5OQ.GaBcDeF.abcdefghijklmnopqrstuvwxyz0123456789AB',
  'Discord MFA': 'mfa.VkO_2G4Qv3T-jdKxHQM4sFSK2cVyMZGZuDpwFkRi5DI5aIt0FgNTb0j8Z4Dw',
  'Slack bot': 'xoxb-2024123456789-7123456789012-AbCdEfGhIjKlMnOpQrStUvWx',
  'Slack user': 'xoxp-2024123456789-2024123456789-7123456789012-0123456789abcdef0123456789abcdef',
  'Slack refresh': 'xoxe-1-My0xLTEyMzQ1Njc4OTAxMi0xMjM0NTY3ODkwMTIzLWFiY2RlZg',
  'Slack rotated': 'xoxe.xoxp-1-Mi0yLTEyMzQ1Njc4OTAxMi0xMjM0NTY3ODkwMTIz',
  'Slack app-level': 'xapp-1-A0123456789-1234567890123-0123456789abcdef0123456789abcdef0123456789abcdef',
  'OpenAI-style key': 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  'JWT': 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
};

describe('log scrubber: every token shape', () => {
  it.each(Object.entries(TOKENS))('masks a %s token inside text', (_name, token) => {
    const out = scrubText(`login failed with ${token} (see docs)`);
    expect(out).not.toContain(token);
    expect(out).toContain(REDACTED);
    expect(out).toMatch(/^login failed with .*\(see docs\)$/);
  });

  it('masks auth headers, URL credentials, webhook paths and secret query values, keeping what they belong to', () => {
    const cases: [string, string, string][] = [
      ['Authorization: Bot MTA5OTk5OTk5OTk5OTk5OTk5OQ', 'Bot [redacted]', 'MTA5OTk5'],
      ['Authorization: Bearer abcdefgh12345678', 'Bearer [redacted]', 'abcdefgh1234'],
      ['Authorization: Basic dXNlcjpodW50ZXIyaHVudGVyMg==', 'Basic [redacted]', 'dXNlcjpo'],
      ['connect redis://default:hunter2hunter2@127.0.0.1:6379/0', 'redis://default:[redacted]@127.0.0.1', 'hunter2'],
      ['GET https://bob:s3cr3tpass@example.com/x', 'https://bob:[redacted]@example.com', 's3cr3tpass'],
      ['post to https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX', 'hooks.slack.com/services/[redacted]', 'XXXXXXXX'],
      ['https://x.example/a?token=abc123secret&b=1', '?token=[redacted]&b=1', 'abc123secret'],
      ['https://x.example/a?b=1&access_token=zzz999&api_key=kkk777', '&access_token=[redacted]&api_key=[redacted]', 'zzz999'],
      ['client_secret=abc&password=pw12345', '[redacted]', 'pw12345'],
    ];
    for (const [text, kept, gone] of cases) {
      const out = scrubText(text);
      expect(out).toContain(kept);
      expect(out).not.toContain(gone);
    }
  });

  it('leaves ordinary text alone', () => {
    for (const text of [
      'a box [0.112, 0.430, 0.251, 0.618] in image 2',
      'conversation discord:123456789012345678:987654321098765432',
      'file models/lego-tiny/onnx/decoder.onnx, version 1.2.3',
      'https://example.com/path?page=2&q=red+star',
      'the Bot answered; Bearer of good news',
    ]) {
      expect(scrubText(text)).toBe(text);
    }
  });

  it('scrubs error messages, causes and stacks printed outside the logger', () => {
    const error = new Error(`Discord refused ${TOKENS['Discord, 19-digit id (26-char id, 38-char HMAC)']}`, { cause: new Error(`slack: ${TOKENS['Slack bot']}`) });
    for (const withStack of [false, true]) {
      const text = scrubbedErrorText(error, withStack);
      expect(text).toContain('Discord refused [redacted]');
      expect(text).toContain('caused by: Error: slack: [redacted]');
      for (const token of Object.values(TOKENS)) expect(text).not.toContain(token);
    }
  });

  it('a logger line never carries any of them, whatever the field', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', pretty: false }, { destination: { write: (line: string) => void lines.push(line) } });
    for (const [name, token] of Object.entries(TOKENS)) {
      logger.info({ what: name, note: `value ${token}`, list: [token], err: new Error(`failed: ${token}`) }, `seen ${token}`);
    }
    const all = lines.join('');
    for (const token of Object.values(TOKENS)) expect(all).not.toContain(token);
    expect(lines).toHaveLength(Object.keys(TOKENS).length);
  });
});

describe('printed outside the logger', () => {
  const root = path.resolve(__dirname, '../..');
  const tsx = path.join(root, 'node_modules/.bin/tsx');
  function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
    return new Promise((resolve) => {
      execFile(tsx, args, { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      });
    });
  }
  const slack = TOKENS['Slack bot']!;

  it('main.ts\'s "could not start" line is scrubbed', async () => {
    const { code, stderr } = await run(['src/main.ts'], { LEGO_ENGINE_BUNDLE: `/tmp/no-bundle-${slack}`, LEGO_WEB_PORT: '0' });
    expect(code).toBe(1);
    expect(stderr).toContain('LEGO bot could not start: no model bundle at /tmp/no-bundle-[redacted]');
    expect(stderr).not.toContain(slack);
  }, 60_000);

  it('an uncaught error is printed scrubbed, stack included, and exits 1', async () => {
    const discord = TOKENS['Discord, 19-digit id (26-char id, 38-char HMAC)']!;
    const script = `require('./src/main').printCrashesScrubbed(); setTimeout(() => { throw new Error('login with ${discord} failed'); }, 1);`;
    const { code, stderr } = await run(['-e', script], {});
    expect(code).toBe(1);
    expect(stderr).toContain('LEGO bot: uncaught error: Error: login with [redacted] failed');
    expect(stderr).toMatch(/\n\s+at /);
    expect(stderr).not.toContain(discord);
  }, 60_000);
});
