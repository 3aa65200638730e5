import { ReplyStreamer } from '../../adapters/discord/reply-streamer';
import type { OutgoingMessage, ReplyTarget } from '../../adapters/discord/reply-target';
import { InFlightWork } from '../../adapters/discord/in-flight-work';

function recordingTarget(): ReplyTarget & { calls: { kind: string; at: number; message: OutgoingMessage }[] } {
  const calls: { kind: string; at: number; message: OutgoingMessage }[] = [];
  let id = 0;
  return {
    calls,
    send: async (message) => {
      calls.push({ kind: 'send', at: Date.now(), message });
      return String(++id);
    },
    edit: async (_id, message) => {
      calls.push({ kind: 'edit', at: Date.now(), message });
    },
    followUp: async (message) => {
      calls.push({ kind: 'followUp', at: Date.now(), message });
      return String(++id);
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('ReplyStreamer', () => {
  it('sends a quick answer once, with its files', async () => {
    const target = recordingTarget();
    const streamer = new ReplyStreamer(target, { editIntervalMs: 500, streamAfterMs: 1000, onSent: () => undefined, onError: () => undefined });
    streamer.partial('The');
    streamer.partial('The red');
    await streamer.finish('The red square [1].', [{ name: 'a.png', contentType: 'image/png', data: Buffer.from('x'), kind: 'annotated-image' }]);
    expect(target.calls.map((c) => c.kind)).toEqual(['send']);
    expect(target.calls[0]?.message.files).toHaveLength(1);
  });

  it('coalesces a flood of partials into at most one update per interval', async () => {
    const target = recordingTarget();
    const streamer = new ReplyStreamer(target, { editIntervalMs: 200, streamAfterMs: 0, onSent: () => undefined, onError: () => undefined });
    const started = Date.now();
    let text = '';
    while (Date.now() - started < 1000) {
      if (text.length < 1500) text += 'word ';
      streamer.partial(text);
      await sleep(2);
    }
    const updates = [...target.calls];
    await streamer.finish(text);
    expect(updates.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 200) + 1);
    for (let i = 1; i < updates.length; i++) expect(updates[i]!.at - updates[i - 1]!.at).toBeGreaterThanOrEqual(190);
    expect(target.calls.at(-1)?.message.content).toBe(text.trim());
  });

  it('delivers once: a cut-off after the answer changes nothing', async () => {
    const target = recordingTarget();
    const streamer = new ReplyStreamer(target, { editIntervalMs: 500, streamAfterMs: 0, onSent: () => undefined, onError: () => undefined });
    await streamer.finish('Done.');
    await streamer.cutOff('cut off');
    expect(target.calls).toHaveLength(1);
  });
});

describe('InFlightWork', () => {
  it('cuts off a job that ignores the abort after grace + settle', async () => {
    const work = new InFlightWork();
    const cutOff = jest.fn(async () => undefined);
    void work.track(() => new Promise<void>(() => undefined), cutOff);
    const result = await work.drain(50, 50);
    expect(result).toEqual({ finished: 0, cutOff: 1 });
    expect(cutOff).toHaveBeenCalledTimes(1);
  });

  it('waits for jobs that finish within the grace period', async () => {
    const work = new InFlightWork();
    const cutOff = jest.fn(async () => undefined);
    void work.track(() => sleep(30), cutOff);
    expect(await work.drain(1000)).toEqual({ finished: 1, cutOff: 0 });
    expect(cutOff).not.toHaveBeenCalled();
  });
});
