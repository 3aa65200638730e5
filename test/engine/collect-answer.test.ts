import { LegoError } from '../../src/errors';
import { collectAnswer } from '../../src/engine/collect-answer';
import { PartChannel } from '../../src/engine/part-channel';
import type { Part } from '../../src/engine/types';

async function* stream(parts: Part[]): AsyncIterable<Part> {
  for (const p of parts) yield p;
}

const finish: Part = { type: 'finish', reason: 'stop', text: 'The star is at [0.1, 0.2, 0.3, 0.4].', usage: { promptTokens: 9, completionTokens: 7 }, timings: { totalMs: 3 } };

describe('collectAnswer', () => {
  it('gathers text, boxes, spans and the finish', async () => {
    const answer = await collectAnswer(
      stream([
        { type: 'text-delta', text: 'The star is at ' },
        { type: 'text-delta', text: '[0.1, 0.2, 0.3, 0.4]' },
        { type: 'box', index: 1, box: { x1: 0.1, y1: 0.2, x2: 0.3, y2: 0.4 }, label: 'star', raw: '[0.1, 0.2, 0.3, 0.4]', start: 15, end: 35 },
        { type: 'span', index: 1, span: { start: 0.1, end: 0.2 }, raw: '{0.1, 0.2}', start: 36, end: 46 },
        { type: 'text-delta', text: '.' },
        finish,
      ]),
    );
    expect(answer.text).toBe('The star is at [0.1, 0.2, 0.3, 0.4].');
    expect(answer.boxes).toEqual([{ index: 1, box: { x1: 0.1, y1: 0.2, x2: 0.3, y2: 0.4 }, label: 'star', raw: '[0.1, 0.2, 0.3, 0.4]', start: 15, end: 35 }]);
    expect(answer.spans).toHaveLength(1);
    expect(answer.finish).toMatchObject({ reason: 'stop', usage: { completionTokens: 7 } });
    expect('type' in answer.finish).toBe(false);
  });

  it('rejects with the LegoError of an error part', async () => {
    const error = new LegoError('busy', 'full');
    await expect(collectAnswer(stream([{ type: 'text-delta', text: 'x' }, { type: 'error', error }]))).rejects.toBe(error);
  });

  it('rejects with engine-failed when the stream ends without a finish', async () => {
    await expect(collectAnswer(stream([{ type: 'text-delta', text: 'x' }]))).rejects.toMatchObject({ code: 'engine-failed' });
  });
});

describe('PartChannel', () => {
  it('delivers pushed parts in order, before and after the reader waits', async () => {
    const ch = new PartChannel<number>();
    ch.push(1);
    const seen: number[] = [];
    const reading = (async () => {
      for await (const n of ch) seen.push(n);
    })();
    await new Promise((r) => setImmediate(r));
    ch.push(2);
    ch.push(3);
    ch.close();
    ch.push(4);
    await reading;
    expect(seen).toEqual([1, 2, 3]);
  });

  it('tells the producer when the reader stops early, and can be read only once', async () => {
    let cancelled = 0;
    const ch = new PartChannel<number>(() => (cancelled += 1));
    ch.push(1);
    ch.push(2);
    for await (const n of ch) {
      expect(n).toBe(1);
      break;
    }
    expect(cancelled).toBe(1);
    expect(ch.isCancelled).toBe(true);
    expect(() => ch[Symbol.asyncIterator]()).toThrow(/once/);
  });
});
