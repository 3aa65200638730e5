import { appSections } from '../../src/cli/commands';
import { DEFAULT_WEB_ADAPTER_OPTIONS } from '../../adapters/web/web-options';
import { DEFAULT_ONNX_ENGINE_OPTIONS } from '../../src/engine/onnx/onnx-lego-engine';
import { z } from 'zod';
import { describeEnv, envName, loadConfig } from '../../src/config';
import { LegoError } from '../../src/errors';

function configError(run: () => unknown): LegoError {
  try {
    run();
  } catch (error) {
    if (LegoError.is(error, 'config-invalid')) return error;
    throw error;
  }
  throw new Error('expected a config-invalid error');
}

describe('loadConfig', () => {
  it('fills every default with an empty environment', () => {
    const { config, unknownEnv } = loadConfig({ sections: appSections(), env: {} });
    expect(config.engine).toMatchObject({ kind: 'onnx', bundle: 'models/lego-tiny', executionProvider: 'cpu', threads: 0 });
    expect(config.engine.generation).toEqual({});
    expect(config.web).toMatchObject({ host: '127.0.0.1', port: 8080, headersTimeoutMs: 10_000, receiveTimeoutMs: 300_000, bodyIdleTimeoutMs: 15_000, partialIntervalMs: 50 });
    expect(config.engine.timeoutMs).toBe(120_000);
    expect(config.conversation.store).toEqual({ kind: 'memory', namespace: 'lego', timeoutMs: 2000 });
    expect(config.media.maxImageBytes).toBe(32 * 1024 * 1024);
    expect(config.logging).toEqual({ level: 'info', pretty: false });
    expect(config.render.maxUploadBytes).toBe(8 * 1024 * 1024);
    expect(unknownEnv).toEqual([]);
  });

  it('reads LEGO_<SECTION>_<KEY> with numbers, booleans and nested keys converted', () => {
    const { config } = loadConfig({
      sections: appSections(),
      env: {
        LEGO_ENGINE_BUNDLE: 'models/test-bundle',
        LEGO_ENGINE_EXECUTION_PROVIDER: 'cuda',
        LEGO_ENGINE_GENERATION_MAX_NEW_TOKENS: '32',
        LEGO_ENGINE_GENERATION_TEMPERATURE: '0',
        LEGO_WEB_PORT: '9000',
        LEGO_LOGGING_PRETTY: 'yes',
        LEGO_MEDIA_MAX_IMAGE_BYTES: '1_000_000',
        LEGO_CONVERSATION_MAX_TURNS: '40',
        LEGO_CONVERSATION_QUEUE_STRATEGY: 'latest-only',
      },
    });
    expect(config.engine.bundle).toBe('models/test-bundle');
    expect(config.engine.executionProvider).toBe('cuda');
    expect(config.engine.generation).toEqual({ maxNewTokens: 32, temperature: 0 });
    expect(config.web.port).toBe(9000);
    expect(config.logging.pretty).toBe(true);
    expect(config.media.maxImageBytes).toBe(1_000_000);
    expect(config.conversation.maxTurns).toBe(40);
    expect(config.conversation.queueStrategy).toBe('latest-only');
  });

  it('selects the conversation store by LEGO_CONVERSATION_STORE with its own settings', () => {
    const redis = loadConfig({ sections: appSections(), env: { LEGO_CONVERSATION_STORE: 'redis', LEGO_CONVERSATION_REDIS_URL: 'redis://127.0.0.1:6390' } }).config;
    expect(redis.conversation.store).toMatchObject({ kind: 'redis', url: 'redis://127.0.0.1:6390' });
    const sqlite = loadConfig({ sections: appSections(), env: { LEGO_CONVERSATION_STORE: 'sqlite', LEGO_CONVERSATION_SQLITE_PATH: 'data/x.sqlite' } }).config;
    expect(sqlite.conversation.store).toMatchObject({ kind: 'sqlite', path: 'data/x.sqlite', busyTimeoutMs: 5000 });
  });

  it('names the missing or invalid setting and its environment variable, all of them at once', () => {
    const error = configError(() =>
      loadConfig({ sections: appSections(), env: { LEGO_CONVERSATION_STORE: 'sqlite', LEGO_WEB_PORT: 'eighty', LEGO_ENGINE_EXECUTION_PROVIDER: 'tpu' } }),
    );
    expect(error.message).toMatch(/conversation\.store\.path \(env LEGO_CONVERSATION_SQLITE_PATH\): required/);
    expect(error.message).toMatch(/web\.port \(env LEGO_WEB_PORT\)/);
    expect(error.message).toMatch(/engine\.executionProvider \(env LEGO_ENGINE_EXECUTION_PROVIDER\)/);
    expect(error.details?.problems).toHaveLength(3);
    expect(configError(() => loadConfig({ sections: appSections(), env: { LEGO_CONVERSATION_STORE: 'redis', LEGO_CONVERSATION_REDIS_URL: 'http://x' } })).message).toMatch(
      /LEGO_CONVERSATION_REDIS_URL/,
    );
    expect(configError(() => loadConfig({ sections: appSections(), env: { LEGO_WEB_PORT: '70000' } })).message).toMatch(/web\.port/);
  });

  it('overrides win over the environment, which wins over entry-point defaults', () => {
    const env = { LEGO_WEB_PORT: '9000', LEGO_LOGGING_LEVEL: 'debug' };
    const { config } = loadConfig({ sections: appSections(), env, overrides: { web: { port: 1234 } }, defaults: { logging: { level: 'warn', pretty: true }, web: { host: '0.0.0.0' } } });
    expect(config.web).toMatchObject({ host: '0.0.0.0', port: 1234 });
    expect(config.logging).toEqual({ level: 'debug', pretty: true });
  });

  it('one defaults source: modules take the schema’s defaults (engine time-out, web upload limits)', () => {
    const { config } = loadConfig({ sections: appSections(), env: {} });
    expect(DEFAULT_ONNX_ENGINE_OPTIONS.defaultTimeoutMs).toBe(config.engine.timeoutMs);
    expect(DEFAULT_ONNX_ENGINE_OPTIONS.maxQueued).toBe(config.engine.maxQueued);
    expect(DEFAULT_WEB_ADAPTER_OPTIONS).toMatchObject({ ...config.web, maxImageBytes: config.media.maxImageBytes, maxVideoBytes: config.media.maxVideoBytes });
  });

  it('reports LEGO_* variables of known sections that name no setting (typos)', () => {
    const { unknownEnv } = loadConfig({ sections: appSections(), env: { LEGO_WEB_PROT: '1', LEGO_UPDATE_GOLDENS: '1', HOME: '/root' } });
    expect(unknownEnv).toEqual(['LEGO_WEB_PROT']);
  });

  it('documents every setting it reads', () => {
    const described = describeEnv(appSections());
    expect(described.find((d) => d.env === 'LEGO_ENGINE_BUNDLE')?.setting).toBe('engine.bundle');
    expect(described.find((d) => d.env === 'LEGO_CONVERSATION_REDIS_URL')?.setting).toBe('conversation.store.url');
    for (const entry of described.filter((d) => !d.setting.startsWith('conversation.store'))) {
      expect(`${entry.env}: ${entry.description}`).not.toMatch(/: $/);
    }
  });

  it('derives env names in upper snake case', () => {
    expect(envName('engine', ['generation', 'maxNewTokens'])).toBe('LEGO_ENGINE_GENERATION_MAX_NEW_TOKENS');
    expect(Object.keys(appSections())).toEqual(expect.arrayContaining(['engine', 'media', 'conversation', 'render', 'logging', 'web', 'serve']));
    for (const section of Object.values(appSections())) expect(section.schema).toBeInstanceOf(z.ZodType);
  });

  it('is the only reader of process.env in src/', () => {
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    const hits = execFileSync('grep', ['-rn', 'process\\.env', 'src'], { encoding: 'utf8' }).trim().split('\n');
    const code = hits.filter((hit) => !/^[^:]+:\d+:\s*(\*|\/\/|\/\*)/.test(hit));
    expect([...new Set(code.map((hit) => hit.split(':')[0]))]).toEqual(['src/config/load-config.ts']);
  });
});
