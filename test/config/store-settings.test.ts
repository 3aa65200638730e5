/**
 * Issue 19, fault 9: LEGO_CONVERSATION_REDIS_URL without LEGO_CONVERSATION_STORE failed with zod's
 * "Invalid discriminator value". The URL (or a SQLite path) now implies its store; a contradiction
 * says what to change.
 */
import { loadConfig } from '../../src/config';
import { LegoError } from '../../src/errors';

function configError(env: Record<string, string>): string {
  try {
    loadConfig({ env });
  } catch (error) {
    expect(LegoError.is(error, 'config-invalid')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a config-invalid error');
}

describe('conversation store settings', () => {
  it('a Redis URL alone means the Redis store', () => {
    const { config } = loadConfig({ env: { LEGO_CONVERSATION_REDIS_URL: 'redis://127.0.0.1:6403' } });
    expect(config.conversation.store).toMatchObject({ kind: 'redis', url: 'redis://127.0.0.1:6403' });
  });

  it('a SQLite path alone means the SQLite store; a namespace alone keeps memory', () => {
    expect(loadConfig({ env: { LEGO_CONVERSATION_SQLITE_PATH: 'data/x.sqlite' } }).config.conversation.store).toMatchObject({ kind: 'sqlite', path: 'data/x.sqlite' });
    expect(loadConfig({ env: { LEGO_CONVERSATION_STORE_NAMESPACE: 'bot2' } }).config.conversation.store).toMatchObject({ kind: 'memory', namespace: 'bot2' });
  });

  it('a Redis URL with another store named says which variable to change, not "Invalid discriminator value"', () => {
    const message = configError({ LEGO_CONVERSATION_STORE: 'sqlite', LEGO_CONVERSATION_SQLITE_PATH: 'x.sqlite', LEGO_CONVERSATION_REDIS_URL: 'redis://h:6379' });
    expect(message).toMatch(/LEGO_CONVERSATION_REDIS_URL is set but LEGO_CONVERSATION_STORE is 'sqlite', not 'redis'; set LEGO_CONVERSATION_STORE=redis/);
    expect(message).not.toMatch(/discriminator/i);
    expect(configError({ LEGO_CONVERSATION_STORE: 'memory', LEGO_CONVERSATION_REDIS_URL: 'redis://h:6379' })).toMatch(/is 'memory', not 'redis'/);
    expect(configError({ LEGO_CONVERSATION_STORE: 'redis', LEGO_CONVERSATION_REDIS_URL: 'redis://h', LEGO_CONVERSATION_SQLITE_PATH: 'x' })).toMatch(
      /LEGO_CONVERSATION_SQLITE_PATH is set but LEGO_CONVERSATION_STORE is 'redis'/,
    );
    expect(configError({ LEGO_CONVERSATION_REDIS_URL: 'redis://h', LEGO_CONVERSATION_SQLITE_PATH: 'x' })).toMatch(/both .* choose one/);
  });

  it('a Redis store without its URL still names the missing setting', () => {
    expect(configError({ LEGO_CONVERSATION_STORE: 'redis' })).toMatch(/conversation\.store\.url \(env LEGO_CONVERSATION_REDIS_URL\)/);
  });
});
