import type { GenerateCallOptions, GenerateRequest, GroundingEngine, Part } from '../../src/engine/types';

/** A real engine with every request it was given kept, for tests that check what reached the model. */
export class RecordingEngine implements GroundingEngine {
  readonly requests: GenerateRequest[] = [];
  constructor(private readonly inner: GroundingEngine) {}
  get name(): string {
    return this.inner.name;
  }
  get media() {
    return this.inner.media;
  }
  generate(request: GenerateRequest, options?: GenerateCallOptions): AsyncIterable<Part> {
    this.requests.push(request);
    return this.inner.generate(request, options);
  }
  /** the inner engine belongs to the test, which disposes it */
  async dispose(): Promise<void> {}
}
