import { EventEmitter } from 'node:events';
import { MemoryBudget } from '../src/media/memory-budget';
import { receiveWithin } from '../src/receive-within';
import type { ReceivingRequest } from '../src/receive-within';

describe('receiveWithin: request bodies in a byte budget', () => {
  /** a request as the budget sees it: its headers and its close event */
  function request(contentLength?: number): ReceivingRequest & EventEmitter {
    const emitter = new EventEmitter() as EventEmitter & { headers: Record<string, string> };
    emitter.headers = contentLength === undefined ? {} : { 'content-length': String(contentLength) };
    return emitter;
  }
  const gate = (): { promise: Promise<string>; open: (value: string) => void } => {
    let open!: (value: string) => void;
    const promise = new Promise<string>((resolve) => (open = resolve));
    return { promise, open };
  };

  it('costs the Content-Length (the limit when none is declared); a body declared over the limit is read at once', async () => {
    const budget = new MemoryBudget(100);
    const first = gate();
    const a = receiveWithin(budget, request(60), 1000, () => first.promise);
    expect(budget.usedBytes).toBe(60);
    const readB = jest.fn(async () => 'b');
    const b = receiveWithin(budget, request(60), 1000, readB);
    const readNone = jest.fn(async () => 'chunked');
    const chunked = receiveWithin(budget, request(), 1000, readNone);
    const tooBig = await receiveWithin(budget, request(5000), 1000, async () => 'refused from its header');
    expect(tooBig).toBe('refused from its header');
    await new Promise((done) => setImmediate(done));
    expect(readB).not.toHaveBeenCalled();
    first.open('a');
    expect(await a).toBe('a');
    expect(await b).toBe('b');
    expect(await chunked).toBe('chunked');
    expect(budget.usedBytes).toBe(0);
  });

  it('a client that goes away while waiting gives its place up', async () => {
    const budget = new MemoryBudget(100);
    const first = gate();
    const a = receiveWithin(budget, request(80), 1000, () => first.promise);
    const leaving = request(80);
    const readLeaving = jest.fn(async () => 'never');
    const left = receiveWithin(budget, leaving, 1000, readLeaving);
    const readC = jest.fn(async () => 'c');
    const c = receiveWithin(budget, request(80), 1000, readC);
    expect(budget.waiting).toBe(2);
    leaving.emit('close');
    await expect(left).rejects.toMatchObject({ code: 'aborted' });
    expect(budget.waiting).toBe(1);
    first.open('a');
    await a;
    expect(await c).toBe('c');
    expect(readLeaving).not.toHaveBeenCalled();
  });
});
