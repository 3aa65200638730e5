import { LegoError } from '../errors';
import { resolvePackagePath } from '../package-paths';
import type { EngineConfig } from '../config/engine';
import type { LegoConfig } from '../config/schema';
import type { GroundingEngine } from '../engine/types';
import type { Logger } from '../logger-type';

/**
 * Opens the engine the configuration names. One factory per `engine.kind`:
 * ADDING AN ENGINE KIND (e.g. the remote engine): add one entry to `ENGINE_FACTORIES` below; it gets the
 * whole configuration (so it can read its own section, e.g. `config.remote`) and a logger.
 */
export type EngineFactory = (config: LegoConfig, logger: Logger) => Promise<GroundingEngine>;

const openOnnx: EngineFactory = async (config, logger) => {
  // Loaded lazily: onnxruntime-node is native and slow to load; tools that never answer should not pay.
  const { OnnxLegoEngine } = await import('../engine/onnx/onnx-lego-engine');
  const engine: EngineConfig = config.engine;
  return OnnxLegoEngine.load(resolvePackagePath(engine.bundle), {
    executionProvider: engine.executionProvider,
    intraOpNumThreads: engine.threads,
    cpuSpinning: engine.cpuSpinning,
    maxQueued: engine.maxQueued,
    defaultTimeoutMs: engine.timeoutMs,
    logger,
  });
};

const openRemote: EngineFactory = async (config, logger) => {
  const { RemoteEngine } = await import('../engine/remote/remote-engine');
  const { remoteEngineOptions } = await import('../config/remote');
  const { resolveMediaOptions } = await import('../media/options');
  return RemoteEngine.connect({ ...remoteEngineOptions(config.remote), mediaOptions: resolveMediaOptions(config.media), logger });
};

export const ENGINE_FACTORIES: Readonly<Partial<Record<EngineConfig['kind'], EngineFactory>>> = {
  onnx: openOnnx,
  remote: openRemote,
};

/** Open the configured engine, or fail with config-invalid / bundle-invalid naming the problem. */
export async function openEngine(config: LegoConfig, logger: Logger, factories = ENGINE_FACTORIES): Promise<GroundingEngine> {
  const factory = factories[config.engine.kind];
  if (factory === undefined) {
    throw new LegoError('config-invalid', `engine.kind (env LEGO_ENGINE_KIND): "${config.engine.kind}" is not available in this build`);
  }
  const timeoutMs = config.engine.loadTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LegoError('engine-unavailable', `the engine did not load within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([factory(config, logger), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
