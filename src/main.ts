/**
 * The main job's composition root — the one place that wires adapters to the bot (DESIGN: dependencies
 * point inward; only this file and the CLI import adapters/).
 *
 *   npm start                      the local web chat on http://127.0.0.1:8080 with models/lego-tiny
 *   LEGO_WEB_PORT=9000 npm start   another port;  LEGO_ENGINE_BUNDLE=models/test-bundle  another bundle
 *   DISCORD_TOKEN=… / SLACK_BOT_TOKEN=… SLACK_APP_TOKEN=…   also start those adapters
 *
 * Order: configuration (validated once) → logger → engine → conversation runtime → bot → adapters.
 * SIGINT/SIGTERM stop the adapters (answers in flight may finish within each adapter's grace period,
 * then are cut), then the conversation store and the engine are closed.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WebAdapter } from '../adapters/web';
import { createBot, openEngine } from './bot';
import type { Adapter, BotHandler } from './bot';
import { loadConfig } from './config';
import { appSections } from './cli/commands';
import type { AppConfig, AppConfigInput } from './cli/commands';
import { createConversationRuntime } from './conversation';
import type { ConversationRuntime } from './conversation';
import type { GroundingEngine } from './engine';
import type { Logger } from './logger-type';
import { SupervisedAdapter } from './adapter-supervisor';
import { LegoError } from './errors';
import { summarizeHealth } from './health';
import type { HealthReport } from './health';
import { scrubbedErrorText } from './log-scrubber';
import { removeStaleTempDirs } from './media/temp-workspace';
import { createLogger } from './logger';
import { packageRoot, resolvePackagePath } from './package-paths';
import type { MetricsSource } from './bot/bot-metrics';
import type { BlobStore } from './conversation/blob-store';
import { eventClaimsFrom } from './conversation/event-claims';
import type { EventClaims } from './conversation/event-claims';
import type { SharedNotes } from './conversation/shared-notes';
import type { CreateLoggerOptions } from './logger';

/** What an adapter factory gets. */
export interface AdapterDeps {
  config: AppConfig;
  bot: BotHandler;
  logger: Logger;
  /** the bot's Prometheus metrics (the web adapter serves them at GET /metrics) */
  metrics?: MetricsSource;
  /** the shared store's blobs when the store is shared (sqlite, redis): web uploads and reply files go there */
  blobs?: BlobStore;
  /** event de-duplication in the shared store (sqlite, redis), for platforms that retry deliveries */
  claims?: EventClaims;
  /** adapters' notes between turns in the shared store (sqlite, redis): reply chains, bot threads, follow-ups */
  notes?: SharedNotes;
  /** the job's health (store and adapters), for an adapter that reports it (the web chat's /api/health) */
  health: () => Promise<HealthReport>;
}

/** One platform the main job can run. */
export interface AdapterRegistration {
  name: string;
  /** whether the configuration asks for it (tokens present…) */
  enabled(config: AppConfig): boolean;
  /**
   * a start failure ends the start-up (the web chat: it serves /api/health, and a port in use is a
   * setting to fix); the others are retried with back-off while the rest serve (`adapters` section)
   */
  critical?: boolean;
  /** loaded lazily, so that discord.js / @slack/bolt are only loaded when used */
  create(deps: AdapterDeps): Promise<Adapter>;
}

/**
 * The platforms, in start order. ADDING AN ADAPTER: one entry here (enabled by its own config section,
 * created through a dynamic import of its folder under adapters/).
 */
export const ADAPTERS: readonly AdapterRegistration[] = [
  {
    name: 'web',
    enabled: () => true,
    critical: true,
    create: async ({ config, bot, logger, health, metrics, blobs }) =>
      new WebAdapter(
        { bot, logger, health, ...(metrics === undefined ? {} : { metrics }), ...(blobs === undefined ? {} : { blobs }) },
        { ...config.web, maxImageBytes: config.media.maxImageBytes, maxVideoBytes: config.media.maxVideoBytes, maxAudioBytes: config.media.maxAudioBytes },
      ),
  },
  {
    name: 'discord',
    enabled: (config) => config.discord.token !== undefined,
    create: async ({ config, bot, logger, notes }) => {
      const { createDiscordAdapter } = await import('../adapters/discord');
      return createDiscordAdapter({ config: config.discord, bot, logger, ...(notes === undefined ? {} : { notes }) });
    },
  },
  {
    name: 'slack',
    enabled: (config) => config.slack.botToken !== undefined,
    create: async ({ config, bot, logger, claims, notes }) => {
      const { SlackAdapter } = await import('../adapters/slack');
      return new SlackAdapter({
        config: config.slack, handler: bot, logger,
        ...(claims === undefined ? {} : { claims }),
        ...(notes === undefined ? {} : { notes }),
      });
    },
  },
];

export interface StartMainOptions {
  /** the environment (default process.env, read only by loadConfig) */
  env?: Readonly<Record<string, string | undefined>>;
  /** settings that win over the environment (tests) */
  overrides?: AppConfigInput;
  /** defaults of this entry point that the environment may still change */
  defaults?: AppConfigInput;
  /** where the start-up lines go (default: stdout) */
  print?: (line: string) => void;
  /** where log lines go (default: stderr) */
  logDestination?: CreateLoggerOptions['destination'];
  /** the engine to use instead of opening the configured one (tests) */
  engine?: GroundingEngine;
  /** the platforms (default ADAPTERS) */
  adapters?: readonly AdapterRegistration[];
}

/** A running main job. */
export interface MainJob {
  config: AppConfig;
  /** the adapters running once start-up ended (a retried one joins `supervised` only) */
  adapters: Adapter[];
  /** the non-critical adapters with their start state (running, retrying, failed) */
  supervised: SupervisedAdapter[];
  /** the store's and the adapters' state, as /api/health reports it */
  health(): Promise<HealthReport>;
  /** the web chat, when it runs */
  web: WebAdapter | undefined;
  /** Stops everything, once; later calls wait for the first. */
  stop(): Promise<void>;
}

/** The bundle must exist before onnxruntime is even loaded; say which folder and how to build it. */
export function checkBundle(config: AppConfig): void {
  if (config.engine.kind !== 'onnx') return;
  const folder = resolvePackagePath(config.engine.bundle);
  if (existsSync(join(folder, 'manifest.json'))) return;
  const isTiny = folder === resolve(packageRoot(), 'models/lego-tiny');
  throw new LegoError(
    'bundle-invalid',
    [
      `no model bundle at ${folder} (manifest.json is missing).`,
      isTiny
        ? 'Build lego-tiny with `npm run model:train` (trains and exports it into models/lego-tiny/),'
        : `Export a bundle into ${config.engine.bundle} (see docs/bundle-format.md),`,
      'or point engine.bundle (env LEGO_ENGINE_BUNDLE) at another bundle folder, e.g. LEGO_ENGINE_BUNDLE=models/test-bundle (random weights, for development).',
    ].join(' '),
  );
}

/** Starts the main job: configuration, engine, conversation runtime, bot, adapters. */
export async function startMain(options: StartMainOptions = {}): Promise<MainJob> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { config, unknownEnv } = loadConfig({ sections: appSections(), env: options.env, overrides: options.overrides, defaults: options.defaults });
  const logger = createLogger(config.logging, options.logDestination === undefined ? {} : { destination: options.logDestination });
  if (unknownEnv.length > 0) logger.warn({ unknownEnv }, 'environment variables that name no setting (typos?)');
  // a process killed with SIGKILL mid-video leaves its temporary folder (input.mp4, frames) behind
  const staleTemp = await removeStaleTempDirs(config.media.tempDir);
  if (staleTemp.length > 0) logger.info({ removed: staleTemp }, 'removed temporary media folders of processes that died');

  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        logger.warn({ err: error }, 'error while shutting down');
      }
    }
  };

  const adapters: Adapter[] = [];
  const supervised: SupervisedAdapter[] = [];
  const critical: string[] = [];
  let runtime: ConversationRuntime | undefined;
  const health = async (): Promise<HealthReport> => {
    const store = runtime === undefined ? { kind: config.conversation.store.kind, ok: false, error: 'not open yet', latencyMs: 0 } : await runtime.probeStore();
    const states = [...critical.map((name) => ({ name, state: 'running' as const, attempts: 1 })), ...supervised.map((s) => s.status())];
    return summarizeHealth(store, states);
  };
  let web: WebAdapter | undefined;
  try {
    let engine = options.engine;
    if (engine === undefined) {
      checkBundle(config);
      print(`Loading the model from ${config.engine.bundle} …`);
      engine = await openEngine(config, logger);
      const opened = engine;
      closers.push(() => opened.dispose());
    }
    const opened: ConversationRuntime = await createConversationRuntime(config.conversation, {
      onStoreError: (error) => logger.warn({ err: error }, 'conversation store error'),
      onDeadLeasesCleared: (count) => logger.info({ count }, 'dropped the conversation leases of processes of this host that died'),
    });
    runtime = opened;
    closers.push(() => opened.close());
    const bot = createBot({ config, engine, runtime: opened, logger });
    closers.push(() => bot.close());

    const deps: AdapterDeps = {
      config, bot, logger, health, metrics: bot.metrics.registry,
      ...(opened.backend.kind === 'memory' ? {} : { blobs: opened.backend.blobs, claims: eventClaimsFrom(opened.backend.leases), notes: opened.backend.notes }),
    };
    for (const registration of options.adapters ?? ADAPTERS) {
      if (!registration.enabled(config)) continue;
      if (registration.critical === true) {
        const adapter = await registration.create(deps);
        await adapter.start();
        adapters.push(adapter);
        critical.push(adapter.name);
        closers.push(() => adapter.stop());
        if (adapter instanceof WebAdapter) web = adapter;
        logger.info({ adapter: adapter.name }, 'adapter started');
        continue;
      }
      // a refused login or an unreachable platform must not take the others down: retried in the background
      const one = new SupervisedAdapter(registration.name, () => registration.create(deps), config.adapters, logger);
      supervised.push(one);
      closers.push(() => one.stop());
      if (await one.start()) adapters.push(one.adapter!);
    }
    if (web !== undefined) print(`LEGO bot web chat: ${web.address}`);
    const others = adapters.filter((a) => a !== web).map((a) => a.name);
    if (others.length > 0) print(`Also answering on: ${others.join(', ')}`);
    const waiting = supervised.filter((s) => s.adapter === undefined).map((s) => s.name);
    if (waiting.length > 0) print(`Could not start yet (retrying, see the log and /api/health): ${waiting.join(', ')}`);
  } catch (error) {
    await closeAll();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    config,
    adapters,
    supervised,
    health,
    web,
    stop: () => {
      // adapters were pushed last, so they stop first; then the bot, the store, the engine
      stopping ??= closeAll();
      return stopping;
    },
  };
}

/**
 * Errors nobody caught would be printed by Node as they are, stack and message (a rejected login with
 * its token, say): print them scrubbed instead, then exit 1 as Node would.
 */
export function printCrashesScrubbed(write: (text: string) => void = (text) => void process.stderr.write(text)): void {
  const crash = (what: string) => (error: unknown): void => {
    write(`LEGO bot: ${what}: ${scrubbedErrorText(error, true)}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', crash('uncaught error'));
  process.on('unhandledRejection', crash('unhandled rejection'));
}

/** `npm start`: run until SIGINT/SIGTERM; a second signal exits at once. */
export async function main(): Promise<void> {
  printCrashesScrubbed();
  let job: MainJob;
  try {
    // one readable log line per entry in a terminal (LEGO_LOGGING_PRETTY=0 gives JSON)
    job = await startMain({ defaults: { logging: { pretty: process.stderr.isTTY === true } } });
  } catch (error) {
    const lego = LegoError.from(error);
    // printed outside the logger, so scrubbed here (a platform's login error may quote its token)
    process.stderr.write(`LEGO bot could not start: ${scrubbedErrorText(lego.message)}\n`);
    process.exitCode = 1;
    return;
  }
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (signalled) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(130);
    }
    signalled = true;
    process.stdout.write(`${signal}: finishing answers in progress and shutting down…\n`);
    job.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`error while shutting down: ${scrubbedErrorText(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (require.main === module) void main();
