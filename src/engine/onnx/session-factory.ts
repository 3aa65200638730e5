import * as ort from 'onnxruntime-node';
import { LegoError } from '../../errors';
import type { Logger } from '../../logger-type';

/** The execution providers an engine can be configured with. */
export type ExecutionProviderName = 'cpu' | 'cuda';

export interface SessionFactoryOptions {
  /** what the configuration asks for */
  executionProvider: ExecutionProviderName;
  /** threads for one operator; undefined = onnxruntime's default (all cores) */
  intraOpNumThreads: number | undefined;
  /** let idle operator threads spin; faster on an idle machine, much slower on a busy one */
  spinning: boolean;
  logger: Logger;
}

/** One execution-provider name → onnxruntime's list of providers (the device table). */
const PROVIDERS: Readonly<Record<ExecutionProviderName, readonly string[]>> = {
  cpu: ['cpu'],
  cuda: ['cuda'],
};

/**
 * Creates an engine's ONNX sessions on the configured execution provider. onnxruntime-node throws
 * instead of falling back when CUDA cannot be loaded: the first failure is logged once and every
 * session of this factory (this one and the following) is created on the CPU instead.
 */
export class SessionFactory {
  private active: ExecutionProviderName;

  constructor(private readonly options: SessionFactoryOptions) {
    this.active = options.executionProvider;
  }

  /** The provider sessions are being created on now (after any fallback). */
  get provider(): ExecutionProviderName {
    return this.active;
  }

  /**
   * Creates a session for the model at `absolutePath`. Throws LegoError('bundle-invalid') naming
   * `file` when the model does not load on the CPU either.
   */
  async create(file: string, absolutePath: string): Promise<ort.InferenceSession> {
    if (this.active !== 'cpu') {
      try {
        return await ort.InferenceSession.create(absolutePath, this.sessionOptions(this.active, 4));
      } catch (cause) {
        this.options.logger.warn(
          { provider: this.active, file, error: (cause as Error).message },
          `execution provider ${this.active} is not available; falling back to cpu`,
        );
        this.active = 'cpu';
      }
    }
    try {
      return await ort.InferenceSession.create(absolutePath, this.sessionOptions('cpu', 3));
    } catch (cause) {
      throw new LegoError('bundle-invalid', `${file} is not a loadable ONNX model: ${(cause as Error).message}`, {
        cause,
        details: { file },
      });
    }
  }

  private sessionOptions(provider: ExecutionProviderName, logSeverityLevel: 3 | 4): ort.InferenceSession.SessionOptions {
    return {
      executionProviders: [...PROVIDERS[provider]],
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      logSeverityLevel,
      extra: { session: { intra_op: { allow_spinning: this.options.spinning ? '1' : '0' } } },
      ...(this.options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: this.options.intraOpNumThreads }),
    };
  }
}
