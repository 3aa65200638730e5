/**
 * A jest environment for tests that run onnxruntime-node. Jest gives each test file its own realm, so
 * a `Float32Array` made in a test is not an `instanceof Float32Array` of the realm where onnxruntime's
 * native binding makes its outputs ("A float32 tensor's data must be type of function Float32Array").
 * This environment hands the test realm the outer realm's typed arrays. Use it with a docblock at the
 * top of the test file:
 *
 *   /** @jest-environment ./test/helpers/onnx-jest-environment.ts *\/
 */
import { TestEnvironment } from 'jest-environment-node';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';

const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;

export class OnnxJestEnvironment extends TestEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const target = this.global as unknown as Record<string, unknown>;
    const source = globalThis as unknown as Record<string, unknown>;
    for (const name of SHARED) target[name] = source[name];
  }
}

// jest loads an environment module through its `module.exports`; a class export is what it looks for
module.exports = OnnxJestEnvironment;
