import { InFlightWork } from '../../src/bot/in-flight-work';
import { ReplyStreamer } from '../../src/bot/reply-streamer';
import type { ReplySurface, ReplySurfaceLimits, SurfaceMessage } from '../../src/bot/reply-surface';
import { CUT_OFF_TEXT, TurnRunner } from '../../src/bot/turn-runner';
import type { BotHandler, Reply } from '../../src/bot/types';
import { LegoError } from '../../src/errors';
import { message } from '../helpers/bot-fixtures';

type Call = { kind: 'send' | 'edit' | 'typing'; at: number; message?: SurfaceMessage };

function recordingSurface(limits: Partial<ReplySurfaceLimits> = {}): ReplySurface & { calls: Call[] } {
  const calls: Call[] = [];
  let id = 0;
  return {
    calls,
    limits: { maxMessageChars: 2000, editIntervalMs: 500, streamAfterMs: 1000, typingIntervalMs: 0, maxUploadBytes: 0, growingMark: ' …', ...limits },
    send: async (m) => {
      calls.push({ kind: 'send', at: Date.now(), message: m });
      return String(++id);
    },
    edit: async (_id, m) => {
      calls.push({ kind: 'edit', at: Date.now(), message: m });
    },
    typing: async () => {
      calls.push({ kind: 'typing', at: Date.now() });
    },
    formatNotice: (line) => `*${line}*`,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const reply = (text: string, extra: Partial<Reply> = {}): Reply => ({ text, files: [], boxes: [], spans: [], notices: [], ...extra });

describe('ReplyStreamer', () => {
  it('sends a quick answer once, with its files', async () => {
    const target = recordingSurface({ editIntervalMs: 500, streamAfterMs: 1000 });
    const streamer = new ReplyStreamer(target, { onError: () => undefined });
    streamer.partial('The');
    streamer.partial('The red');
    await streamer.finish('The red square [1].', [{ name: 'a.png', contentType: 'image/png', data: Buffer.from('x'), kind: 'annotated-image' }]);
    expect(target.calls.map((c) => c.kind)).toEqual(['send']);
    expect(target.calls[0]?.message?.files).toHaveLength(1);
  });

  it('coalesces a flood of partials into at most one update per interval', async () => {
    const target = recordingSurface({ editIntervalMs: 200, streamAfterMs: 0 });
    const streamer = new ReplyStreamer(target, { onError: () => undefined });
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
    expect(target.calls.at(-1)?.message?.text).toBe(text.trim());
  });

  it('delivers once: a cut-off after the answer changes nothing', async () => {
    const target = recordingSurface({ editIntervalMs: 500, streamAfterMs: 0 });
    const streamer = new ReplyStreamer(target, { onError: () => undefined });
    await streamer.finish('Done.');
    await streamer.finish('cut off');
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

describe('TurnRunner', () => {
  function bot(handle: BotHandler['handle']): BotHandler {
    return { handle };
  }

  it('renews typing while the pipeline works, streams throttled edits, then replaces them with the final answer', async () => {
    const surface = recordingSurface({ editIntervalMs: 100, streamAfterMs: 150, typingIntervalMs: 40 });
    const runner = new TurnRunner({
      platform: 'test',
      bot: bot(async (_m, progress) => {
        let text = '';
        for (let i = 0; i < 30; i++) {
          text += 'word ';
          progress?.partial?.(text);
          await new Promise((r) => setTimeout(r, 10));
        }
        return reply(text.trim(), { notices: ['a notice'] });
      }),
    });
    await runner.run(message('q'), surface);
    const typing = surface.calls.filter((c) => c.kind === 'typing');
    expect(typing.length).toBeGreaterThanOrEqual(2);
    const updates = surface.calls.filter((c) => c.kind !== 'typing');
    expect(updates[0]?.kind).toBe('send');
    expect(updates[0]?.message?.final).toBe(false);
    for (let i = 1; i < updates.length - 1; i++) expect(updates[i]!.at - updates[i - 1]!.at).toBeGreaterThanOrEqual(90);
    const last = updates.at(-1)!;
    expect(last.kind).toBe('edit');
    expect(last.message).toMatchObject({ final: true, text: `${'word '.repeat(30).trim()}\n\n*a notice*` });
    // typing stops once the first message is out
    expect(typing.every((t) => t.at <= updates[0]!.at + 5)).toBe(true);
  });

  it('a typing interval of 0 shows typing once, not a flood (the web chat and Slack keep it themselves)', async () => {
    const surface = recordingSurface({ typingIntervalMs: 0 });
    const runner = new TurnRunner({
      platform: 'test',
      bot: bot(async () => {
        await sleep(60);
        return reply('The red square [1].');
      }),
    });
    await runner.run(message('q'), surface);
    expect(surface.calls.filter((c) => c.kind === 'typing')).toHaveLength(1);
  });

  it('splits a long answer at the surface limit, files on the first message', async () => {
    const surface = recordingSurface({ maxMessageChars: 2000 });
    const long = Array.from({ length: 120 }, (_, i) => `Sentence number ${i} about box [${(i % 9) + 1}].`).join(' ');
    const file = { name: 'a.png', contentType: 'image/png', data: Buffer.from('x'), kind: 'annotated-image' as const };
    const runner = new TurnRunner({ platform: 'test', bot: bot(async () => reply(long, { files: [file] })) });
    await runner.run(message('q'), surface);
    const sent = surface.calls.filter((c) => c.kind === 'send');
    expect(sent.length).toBeGreaterThan(1);
    for (const c of sent) expect(c.message!.text.length).toBeLessThanOrEqual(2000);
    expect(sent[0]!.message!.files).toHaveLength(1);
    expect(sent.slice(1).every((c) => c.message!.files.length === 0)).toBe(true);
    expect(sent.map((c) => c.message!.text).join(' ').replace(/\s+/g, ' ')).toBe(long);
  });

  it('a handler that throws is answered with the error’s polite words, never its detail', async () => {
    const surface = recordingSurface();
    const runner = new TurnRunner({ platform: 'test', bot: bot(async () => Promise.reject(new LegoError('engine-failed', 'secret internals'))) });
    const got = await runner.run(message('q'), surface);
    expect(got?.error?.code).toBe('engine-failed');
    const text = surface.calls.find((c) => c.kind === 'send')?.message?.text ?? '';
    expect(text).toBe(new LegoError('engine-failed', 'x').userMessage);
    expect(text).not.toContain('secret');
  });

  it('drain lets a quick answer finish and cuts a hanging one off, keeping what was written', async () => {
    const surface = recordingSurface({ editIntervalMs: 10, streamAfterMs: 0 });
    const runner = new TurnRunner({
      platform: 'test',
      bot: bot(async (_m, progress) => {
        progress?.partial?.('The beginning');
        return new Promise<Reply>(() => undefined); // ignores the abort
      }),
    });
    void runner.run(message('q'), surface);
    await new Promise((r) => setTimeout(r, 50));
    expect(runner.inFlight).toBe(1);
    expect(await runner.drain(30, 30)).toEqual({ finished: 0, cutOff: 1 });
    const last = surface.calls.filter((c) => c.kind !== 'typing').at(-1)!;
    expect(last.message?.text).toContain('The beginning');
    expect(last.message?.text).toContain(CUT_OFF_TEXT);
  });

  it('a skipped message sends nothing; files over the upload limit are left out with a notice', async () => {
    const surface = recordingSurface();
    const skipping = new TurnRunner({ platform: 'test', bot: bot(async () => reply('', { skipped: 'dropped' })) });
    await skipping.run(message('q'), surface);
    expect(surface.calls.filter((c) => c.kind !== 'typing')).toEqual([]);
    const small = recordingSurface({ maxUploadBytes: 4 });
    const big = { name: 'a.png', contentType: 'image/png', data: Buffer.alloc(10), kind: 'annotated-image' as const };
    await new TurnRunner({ platform: 'test', bot: bot(async () => reply('Here.', { files: [big] })) }).run(message('q'), small);
    const sent = small.calls.find((c) => c.kind === 'send')!.message!;
    expect(sent.files).toEqual([]);
    expect(sent.text).toMatch(/Here\.\n\n\*I could not attach/);
  });
});
