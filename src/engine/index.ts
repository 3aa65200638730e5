/** The engine seam without any runtime: import OnnxLegoEngine from './onnx' (it loads onnxruntime-node). */
export type {
  AudioSpec,
  CollectedAnswer,
  FinishInfo,
  GenerateCallOptions,
  GenerateRequest,
  GenerationOptions,
  GroundedBox,
  GroundedSpan,
  GroundingEngine,
  ImageSpec,
  LogFn,
  LogMelSpec,
  Logger,
  MediaSpec,
  Part,
  PreparedAudio,
  PreparedImage,
  PreparedMedia,
  PreparedVideo,
  Turn,
  VideoSpec,
} from './types';
export { collectAnswer } from './collect-answer';
export { silentLogger } from './silent-logger';
export { AnswerAssembler } from './answer-assembler';
export type { AnswerAssemblerOptions } from './answer-assembler';
export { GroundedParts } from './grounded-parts';
export { WorkQueue } from './work-queue';
export { PartChannel } from './part-channel';
