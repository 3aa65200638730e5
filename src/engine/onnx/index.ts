export { OnnxLegoEngine, DEFAULT_ONNX_ENGINE_OPTIONS } from './onnx-lego-engine';
export type { OnnxLegoEngineOptions } from './onnx-lego-engine';
export type { ExecutionProviderName } from './session-factory';
export { parseBundleManifest, SUPPORTED_MANIFEST_VERSIONS } from './bundle-manifest';
export type { BundleManifest } from './bundle-manifest';
export type { BuiltPrompt } from './lego-prompt';
