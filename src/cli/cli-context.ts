import type { Bot } from '../bot/bot';
import type { AppConfig, AppConfigInput } from './commands';
import { appSections } from './commands';
import type { GroundingEngine } from '../engine/types';
import type { LegoLogger } from '../logger';
import type { CliIo } from './cli-io';

/** Options every subcommand shares (declared on the program). */
export interface GlobalOptions {
  bundle?: string;
  engine?: 'onnx' | 'remote';
  provider?: 'cpu' | 'cuda';
  logLevel?: string;
}

/** A bot ready to answer, with what has to be closed afterwards. */
export interface CliBot {
  config: AppConfig;
  logger: LegoLogger;
  engine: GroundingEngine;
  bot: Bot;
  close(): Promise<void>;
}

/**
 * What a subcommand gets: the terminal, the configuration (environment + global flags) and a way to
 * open the engine and the pipeline. The CLI is a composition root like src/main.ts.
 */
export interface CliContext {
  io: CliIo;
  config(globals: GlobalOptions, overrides?: AppConfigInput): AppConfig;
  openBot(config: AppConfig): Promise<CliBot>;
}

/** The CLI logs warnings and errors only (to stderr), unless LEGO_LOGGING_LEVEL or --log-level says otherwise. */
const CLI_DEFAULTS: AppConfigInput = { logging: { level: 'warn', pretty: true } };

/**
 * The configuration loader (zod and every section's schema, ~0.1 s) is required on first use, not at
 * start, so that `lego --help` and usage errors load commander and little else.
 */
function configLoader(): typeof import('../config/load-config') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../config/load-config') as typeof import('../config/load-config');
}

export function createCliContext(io: CliIo, env?: Readonly<Record<string, string | undefined>>, givenEngine?: GroundingEngine): CliContext {
  return {
    io,
    config(globals, overrides = {}) {
      const engine = { ...overrides.engine };
      if (globals.bundle !== undefined) engine.bundle = globals.bundle;
      if (globals.engine !== undefined) engine.kind = globals.engine;
      if (globals.provider !== undefined) engine.executionProvider = globals.provider;
      const logging = { ...overrides.logging };
      if (globals.logLevel !== undefined) logging.level = globals.logLevel as NonNullable<typeof logging.level>;
      return configLoader().loadConfig({ sections: appSections(), ...(env === undefined ? {} : { env }), defaults: CLI_DEFAULTS, overrides: { ...overrides, engine, logging } }).config;
    },
    async openBot(config) {
      // the pipeline (sharp, canvas, the engine) loads when a command answers, not for --help
      const [{ createLogger }, { openEngine }, { createBot }] = await Promise.all([import('../logger'), import('../bot/open-engine'), import('../bot/create-bot')]);
      const logger = createLogger(config.logging, { destination: { write: (line: string) => void io.stderr.write(line) } });
      const engine = givenEngine ?? (await openEngine(config, logger));
      const bot = createBot({ config, engine, logger });
      return {
        config,
        logger,
        engine,
        bot,
        close: async () => {
          await bot.close();
          if (givenEngine === undefined) await engine.dispose();
        },
      };
    },
  };
}
