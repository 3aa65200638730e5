import type { GenerateCallOptions, GenerateRequest, GroundingEngine, Part } from '../../src/engine/types';

/**
 * A real engine with every request it was given kept, for tests that check what reached the model, and
 * every answer's parts (`answers[i]` for `requests[i]`, filled as they stream) to check what it said.
 */
export class RecordingEngine implements GroundingEngine {
  readonly requests: GenerateRequest[] = [];
  readonly answers: Part[][] = [];
  constructor(private readonly inner: GroundingEngine) {}
  get name(): string {
    return this.inner.name;
  }
  get media() {
    return this.inner.media;
  }
  generate(request: GenerateRequest, options?: GenerateCallOptions): AsyncIterable<Part> {
    this.requests.push(request);
    const parts: Part[] = [];
    this.answers.push(parts);
    const inner = this.inner.generate(request, options);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const part of inner) {
          parts.push(part);
          yield part;
        }
      },
    };
  }
  /** the inner engine belongs to the test, which disposes it */
  async dispose(): Promise<void> {}
}
