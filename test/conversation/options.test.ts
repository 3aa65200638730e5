import { parseConversationOptions } from '../../src/conversation/options';
import { LegoError } from '../../src/errors';

describe('parseConversationOptions', () => {
  test('defaults', () => {
    const options = parseConversationOptions();
    expect(options.store).toEqual({ kind: 'memory', namespace: 'lego', timeoutMs: 2000 });
    expect(options.queueStrategy).toBe('queue');
    expect(options.idleTtlMs).toBe(24 * 3600_000);
    expect(options.maxTurns).toBe(200);
    expect(options.tokenBudget).toBe(1024);
    expect(options.maxConcurrentGenerations).toBe(2);
  });

  test('store kinds with their own settings', () => {
    expect(parseConversationOptions({ store: { kind: 'sqlite', path: '/tmp/x.db' } }).store).toMatchObject({ kind: 'sqlite', path: '/tmp/x.db', busyTimeoutMs: 5000 });
    expect(parseConversationOptions({ store: { kind: 'redis', url: 'redis://127.0.0.1:6379' } }).store).toMatchObject({ kind: 'redis', connectTimeoutMs: 2000 });
  });

  test('a wrong setting is named', () => {
    const error = (() => {
      try {
        parseConversationOptions({ store: { kind: 'redis' }, queueStrategy: 'shuffle' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(LegoError.is(error, 'config-invalid')).toBe(true);
    expect((error as LegoError).message).toContain('conversation.store.url');
    expect((error as LegoError).message).toContain('conversation.queueStrategy');
  });
});
