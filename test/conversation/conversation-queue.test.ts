import { ConversationQueue } from '../../src/conversation/conversation-queue';
import { LegoError } from '../../src/errors';

interface Gate {
  promise: Promise<void>;
  open: () => void;
}

function gate(): Gate {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('ConversationQueue', () => {
  test("'queue' runs one task at a time per conversation, in order, others in parallel", async () => {
    const queue = new ConversationQueue({ strategy: 'queue', maxPending: 8 });
    const log: string[] = [];
    const first = gate();
    const a1 = queue.run('a', async () => {
      log.push('a1 start');
      await first.promise;
      log.push('a1 end');
      return 1;
    });
    const a2 = queue.run('a', async () => {
      log.push('a2');
      return 2;
    });
    const b1 = queue.run('b', async () => {
      log.push('b1');
      return 3;
    });
    await b1;
    expect(log).toEqual(['a1 start', 'b1']);
    expect(queue.isBusy('a')).toBe(true);
    expect(queue.pending('a')).toBe(1);
    first.open();
    expect(await a1).toEqual({ status: 'done', value: 1 });
    expect(await a2).toEqual({ status: 'done', value: 2 });
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    expect(queue.activeConversations).toBe(0);
  });

  test("'queue' is bounded and a failing task does not block the next", async () => {
    const queue = new ConversationQueue({ strategy: 'queue', maxPending: 1 });
    const first = gate();
    const a1 = queue.run('a', async () => {
      await first.promise;
      throw new Error('boom');
    });
    const a2 = queue.run('a', async () => 'ok');
    await expect(queue.run('a', async () => 'too many')).rejects.toMatchObject({ code: 'busy', retryable: true });
    first.open();
    await expect(a1).rejects.toThrow('boom');
    expect(await a2).toEqual({ status: 'done', value: 'ok' });
  });

  test("'drop' ignores messages while answering", async () => {
    const queue = new ConversationQueue({ strategy: 'drop', maxPending: 8 });
    const first = gate();
    const a1 = queue.run('a', async () => first.promise.then(() => 1));
    expect(await queue.run('a', async () => 2)).toEqual({ status: 'dropped' });
    first.open();
    expect(await a1).toEqual({ status: 'done', value: 1 });
    expect(await queue.run('a', async () => 3)).toEqual({ status: 'done', value: 3 });
  });

  test("'latest-only' answers only the newest waiting message", async () => {
    const queue = new ConversationQueue({ strategy: 'latest-only', maxPending: 8 });
    const first = gate();
    const ran: number[] = [];
    const a1 = queue.run('a', async () => first.promise.then(() => ran.push(1)));
    const a2 = queue.run('a', async () => ran.push(2));
    const a3 = queue.run('a', async () => ran.push(3));
    const a4 = queue.run('a', async () => ran.push(4));
    expect(await a2).toEqual({ status: 'superseded' });
    expect(await a3).toEqual({ status: 'superseded' });
    first.open();
    await a1;
    expect(await a4).toMatchObject({ status: 'done' });
    expect(ran).toEqual([1, 4]);
  });

  test('busy errors are LegoErrors', async () => {
    const queue = new ConversationQueue({ strategy: 'queue', maxPending: 0 });
    const first = gate();
    const a1 = queue.run('a', async () => first.promise);
    const refused = await queue.run('a', async () => undefined).catch((e: unknown) => e);
    expect(LegoError.is(refused, 'busy')).toBe(true);
    first.open();
    await a1;
  });
});
