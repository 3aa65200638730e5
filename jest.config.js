/** Jest runs TypeScript through ts-jest in transpile-only mode; `npm run typecheck` checks types. */
module.exports = {
  // onnxruntime-node needs the outer realm's typed arrays (see test/helpers/onnx-jest-environment.ts)
  testEnvironment: '<rootDir>/test/helpers/onnx-jest-environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 60000,
  maxWorkers: 2,
};
