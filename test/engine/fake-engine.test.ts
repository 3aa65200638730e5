import { LegoError } from '../../src/errors';
import { collectAnswer } from '../../src/engine/collect-answer';
import type { GenerateRequest, Part } from '../../src/engine/types';
import { FakeEngine } from '../helpers/fake-engine';

const image = { kind: 'image' as const, size: { width: 200, height: 100 }, pixelValues: new Float32Array(3 * 96 * 96) };
const ask = (text: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({ turns: [{ role: 'user', text }], ...extra });

describe('FakeEngine (test double for the layers above the engine)', () => {
  it('streams a scripted answer with real box parts mapped onto the media', async () => {
    const engine = new FakeEngine({ replies: ['The red star is at [0.100, 0.250, 0.500, 0.750].'] });
    const parts: Part[] = [];
    for await (const p of engine.generate(ask('Where is the red star?', { media: image }))) parts.push(p);
    expect(parts.filter((p) => p.type === 'text-delta').length).toBeGreaterThan(5);
    const box = parts.find((p) => p.type === 'box');
    expect(box).toMatchObject({ index: 1, label: 'red star', pixels: { x1: 20, y1: 0, x2: 100, y2: 100 } });
    expect(parts[parts.length - 1]).toMatchObject({ type: 'finish', reason: 'stop', text: 'The red star is at [0.100, 0.250, 0.500, 0.750].' });
    expect(engine.calls[0]!.request.turns[0]!.text).toBe('Where is the red star?');
  });

  it('uses replies in order, then the fallback; replies may be functions of the request', async () => {
    const engine = new FakeEngine({ replies: ['one', (r) => `you said ${r.turns[0]!.text}`], fallback: { text: 'later' } });
    expect((await collectAnswer(engine.generate(ask('a')))).text).toBe('one');
    expect((await collectAnswer(engine.generate(ask('b')))).text).toBe('you said b');
    expect((await collectAnswer(engine.generate(ask('c')))).text).toBe('later');
    engine.enqueue(async () => ({ text: 'async', droppedTurns: 2 }));
    expect((await collectAnswer(engine.generate(ask('d')))).finish).toMatchObject({ text: 'async', droppedTurns: 2 });
  });

  it('ends with an error part when scripted to', async () => {
    const engine = new FakeEngine({ replies: [{ text: 'partial answer', error: new LegoError('engine-failed', 'boom'), errorAfterChars: 7 }] });
    const parts: Part[] = [];
    for await (const p of engine.generate(ask('x'))) parts.push(p);
    expect(parts.map((p) => (p.type === 'text-delta' ? p.text : p.type)).join('')).toBe('partialerror');
    await expect(collectAnswer(new FakeEngine({ replies: [{ error: new LegoError('busy', 'full') }] }).generate(ask('x')))).rejects.toMatchObject({ code: 'busy' });
  });

  it('honours abort, time-out, stop strings and max tokens', async () => {
    const engine = new FakeEngine({ chunkSize: 2, delayMs: 5, fallback: 'a long answer that goes on and on and on' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 12);
    const aborted = await collectAnswer(engine.generate(ask('x'), { signal: controller.signal }));
    expect(aborted.finish.reason).toBe('aborted');
    expect(aborted.text.length).toBeLessThan(10);
    const late = await collectAnswer(engine.generate(ask('x', { options: { timeoutMs: 12 } })));
    expect(late.finish.reason).toBe('timeout');
    const stopped = await collectAnswer(engine.generate(ask('x', { options: { stop: [' goes'] } })));
    expect(stopped).toMatchObject({ text: 'a long answer that', finish: { reason: 'stop' } });
    const short = await collectAnswer(engine.generate(ask('x', { options: { maxNewTokens: 3 } })));
    expect(short).toMatchObject({ text: 'a long', finish: { reason: 'length' } });
  });

  it('answers with engine-unavailable after dispose', async () => {
    const engine = new FakeEngine();
    await engine.dispose();
    expect(engine.disposed).toBe(true);
    await expect(collectAnswer(engine.generate(ask('x')))).rejects.toMatchObject({ code: 'engine-unavailable' });
  });
});
