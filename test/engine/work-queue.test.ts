import { LegoError } from '../../src/errors';
import { WorkQueue } from '../../src/engine/work-queue';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('WorkQueue', () => {
  it('runs tasks one at a time in arrival order', async () => {
    const q = new WorkQueue();
    const log: string[] = [];
    const task = (name: string) => async (): Promise<string> => {
      log.push(`start ${name}`);
      await tick();
      await tick();
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([q.run(task('a')), q.run(task('b')), q.run(task('c'))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(q.busy).toBe(false);
  });

  it('lets a waiting task leave when its signal aborts, and keeps going after a failure', async () => {
    const q = new WorkQueue();
    let release!: () => void;
    const first = q.run(() => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    const second = q.run(async () => 'never', controller.signal);
    const third = q.run(async () => {
      throw new Error('boom');
    });
    const fourth = q.run(async () => 'fourth');
    expect(q.length).toBe(3);
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'aborted' });
    expect(q.length).toBe(2);
    release();
    await first;
    await expect(third).rejects.toThrow('boom');
    await expect(fourth).resolves.toBe('fourth');
  });

  it('keeps the reason of an abort that is a LegoError', async () => {
    const q = new WorkQueue();
    const timeout = new LegoError('engine-timeout', 'late');
    await expect(q.run(async () => 1, AbortSignal.abort(timeout))).rejects.toBe(timeout);
  });

  it('refuses with busy beyond maxWaiting, and cancels waiting tasks on request', async () => {
    const q = new WorkQueue(1);
    let release!: () => void;
    const first = q.run(() => new Promise<void>((r) => (release = r)));
    const second = q.run(async () => 2);
    await expect(q.run(async () => 3)).rejects.toMatchObject({ code: 'busy', retryable: true });
    q.cancelWaiting(new LegoError('engine-unavailable', 'gone'));
    await expect(second).rejects.toMatchObject({ code: 'engine-unavailable' });
    release();
    await first;
  });
});
