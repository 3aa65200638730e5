import { z } from 'zod';
import { defineSection } from './section';

/** Generation defaults for every request; unset = the bundle manifest's own `generation` block. */
export const GenerationConfigSchema = z.object({
  temperature: z.number().min(0).max(5).optional().describe('sampling temperature, 0 = greedy (default: the bundle’s, 0.2 for LEGO)'),
  topP: z.number().gt(0).max(1).optional().describe('nucleus sampling mass (default: the bundle’s)'),
  maxNewTokens: z.number().int().positive().optional().describe('longest answer in tokens (default: the bundle’s)'),
  seed: z.number().int().nonnegative().optional().describe('fixed sampling seed for reproducible answers (default: random)'),
});

/** Which engine answers, and how it runs. */
export const EngineConfigSchema = z.object({
  kind: z
    .enum(['onnx', 'remote'])
    .default('onnx')
    .describe('onnx = the bundle in this process (onnxruntime-node); remote = an HTTP engine (see the remote section)'),
  bundle: z.string().min(1).default('models/lego-tiny').describe('folder of the LEGO bundle (manifest.json, tokenizer, ONNX graphs)'),
  executionProvider: z
    .enum(['cpu', 'cuda'])
    .default('cpu')
    .describe('where the ONNX graphs run; cuda that does not load falls back to cpu with a warning'),
  threads: z.number().int().nonnegative().default(0).describe('threads per ONNX operator; 0 = onnxruntime’s default'),
  cpuSpinning: z.boolean().default(false).describe('let idle onnxruntime threads spin (faster only on a dedicated machine)'),
  maxQueued: z.number().int().nonnegative().default(64).describe('requests waiting behind the running one; more are refused as busy'),
  timeoutMs: z.number().int().nonnegative().default(120_000).describe('time limit of one answer in ms (0 = none); past it the reply is a polite, retryable error'),
  loadTimeoutMs: z.number().int().positive().default(120_000).describe('time limit for loading the bundle at start-up, ms'),
  generation: GenerationConfigSchema.default({}),
});

export type EngineConfig = z.output<typeof EngineConfigSchema>;
export type GenerationConfig = z.output<typeof GenerationConfigSchema>;

export const engineSection = defineSection({ schema: EngineConfigSchema });
