import { ConversationSession } from '../../src/conversation/conversation-session';
import { createConversationRecord } from '../../src/conversation/record';
import { ConversationRecordSchema } from '../../src/conversation/record';
import { HASH_A, HASH_B, HASH_V, box, newSession, span, testOptions } from './session-settings';

const options = testOptions();

const session = (): ConversationSession => newSession(options);

function withImageAndBoxes(): ConversationSession {
  const s = session();
  s.addMedia({ kind: 'image', hash: HASH_A, mime: 'image/png', size: { width: 640, height: 480 }, durationSec: null, source: { type: 'url', url: 'https://cdn/x.png' }, name: 'x.png' });
  const plan = s.beginTurn('Where are the stars?');
  expect(plan.type).toBe('ask');
  s.addAnswer({
    text: 'red star [0.112, 0.430, 0.251, 0.618] and blue star [0.500, 0.500, 0.600, 0.600]',
    boxes: [box(1, 0.112, 0.43, 0.251, 0.618, 'red star'), box(2, 0.5, 0.5, 0.6, 0.6, 'blue star')],
  });
  return s;
}

describe('ConversationSession', () => {
  test('numbers boxes from 1 and continues across turns; the same box keeps its number', () => {
    const s = withImageAndBoxes();
    expect(s.record.regions.map((r) => [r.number, r.label])).toEqual([[1, 'red star'], [2, 'blue star']]);
    s.beginTurn('and the circle?');
    const { regions } = s.addAnswer({
      text: 'circle [0.700, 0.100, 0.800, 0.200], star [0.112, 0.430, 0.251, 0.618]',
      boxes: [box(1, 0.7, 0.1, 0.8, 0.2, 'circle'), box(2, 0.112, 0.43, 0.251, 0.618)],
    });
    expect(regions.map((r) => r.number)).toEqual([3, 1]);
    expect(s.record.nextRegionNumber).toBe(4);
    const first = s.region(1);
    expect(first?.kind === 'box' && first.pixels).toEqual({ x1: expect.closeTo(71.68, 2), y1: expect.closeTo(195.2, 2), x2: expect.closeTo(160.64, 2), y2: expect.closeTo(315.52, 2) });
    expect(first?.mediaId).toBe(1);
    expect(ConversationRecordSchema.safeParse(s.record).success).toBe(true);
  });

  test('zoom into a span: the stretch is asked alone, and its answer\'s spans come back onto the whole video', () => {
    const s = session();
    s.addMedia({ kind: 'video', hash: HASH_V, mime: 'video/mp4', size: { width: 320, height: 240 }, durationSec: 10, source: { type: 'blob', key: HASH_V } });
    s.beginTurn('when does the ball fall?');
    s.addAnswer({ text: 'it falls {0.25, 0.60}', spans: [span(1, 0.25, 0.6, 'it falls')] });
    // in words too: "zoom into it" is the latest answer's one span
    expect(s.resolve('zoom into it')).toMatchObject({ status: 'resolved', kind: 'zoom', clip: { start: 1.625, end: 6.875 } });
    const plan = s.beginTurn('zoom into span 1');
    if (plan.type !== 'ask') throw new Error('expected ask');
    expect(plan.clip).toEqual({ start: 1.625, end: 6.875 });
    expect(plan.crop).toBeNull();
    expect(plan.request.turns).toEqual([{ role: 'user', text: 'What happens in this video?' }]);
    // half-way through the 5.25 s stretch to its end: 4.25–6.875 s of the video
    const { regions } = s.addAnswer({ text: 'the ball bounces {0.50, 1.00}', spans: [span(1, 0.5, 1, 'the ball bounces')] });
    expect(regions[0]).toMatchObject({ kind: 'span', number: 2, seconds: { start: 4.25, end: 6.875 } });
    const mapped = regions[0]!.kind === 'span' ? regions[0]!.span : null;
    expect(mapped?.start).toBeCloseTo(0.425, 6);
    expect(mapped?.end).toBeCloseTo(0.6875, 6);
    // the stretch's exchange is no history for the whole video (its spans are in the stretch's frame)
    const next = s.beginTurn('and then?');
    if (next.type !== 'ask') throw new Error('expected ask');
    expect(next.request.turns.map((t) => t.text)).toEqual(['when does the ball fall?', 'it falls {0.25, 0.60}', 'and then?']);
    expect(ConversationRecordSchema.safeParse(s.record).success).toBe(true);
    // records written before zooms in time have no `clip`: they read back with none
    const old = JSON.parse(JSON.stringify(s.record)) as { turns: Record<string, unknown>[] };
    for (const turn of old.turns) delete turn.clip;
    const read = ConversationRecordSchema.parse(old);
    expect(read.turns.every((t) => t.clip === null)).toBe(true);
  });

  test('rewrites "what is in box 2?" into the model frame and keeps what the person wrote', () => {
    const s = withImageAndBoxes();
    const plan = s.beginTurn('what is in box 1?');
    if (plan.type !== 'ask') throw new Error('expected ask');
    expect(plan.turn.text).toBe('what is in box 1?');
    expect(plan.turn.prompt).toBe('What is in [0.112, 0.430, 0.251, 0.618]?');
    expect(plan.request.turns).toEqual([
      { role: 'user', text: 'Where are the stars?' },
      { role: 'assistant', text: 'red star [0.112, 0.430, 0.251, 0.618] and blue star [0.500, 0.500, 0.600, 0.600]' },
      { role: 'user', text: 'What is in [0.112, 0.430, 0.251, 0.618]?' },
    ]);
  });

  test('compare and a missing region', () => {
    const s = withImageAndBoxes();
    expect(s.resolve('compare 1 and 2')).toMatchObject({
      status: 'resolved', kind: 'compare', question: 'Compare [0.112, 0.430, 0.251, 0.618] and [0.500, 0.500, 0.600, 0.600]',
    });
    const plan = s.beginTurn('what is in box 9?');
    expect(plan.type).toBe('reply');
    if (plan.type === 'reply') {
      expect(plan.text).toBe('I have no box 9 in this conversation. Regions I remember: box 1 (red star), box 2 (blue star).');
    }
    expect(s.record.turns).toHaveLength(2); // nothing stored for the impossible question
  });

  test('zoom: crop around the box, ask on the crop alone, map the answer back onto the full image', () => {
    const s = withImageAndBoxes();
    const plan = s.beginTurn('zoom into 1');
    if (plan.type !== 'ask') throw new Error('expected ask');
    // box 1 ≈ x 71.7–160.6, y 195.2–315.5; margin 25 % each side, at least 64 px, whole pixels
    expect(plan.crop).toEqual({ x: 49, y: 165, width: 134, height: 181 });
    expect(plan.request.turns).toEqual([{ role: 'user', text: 'What is in this image?' }]);
    const crop = plan.crop as { x: number; y: number; width: number; height: number };
    const { regions } = s.addAnswer({ text: 'a star [0.000, 0.000, 1.000, 1.000]', boxes: [box(1, 0, 0, 1, 1, 'a star')] });
    const region = regions[0];
    if (region?.kind !== 'box') throw new Error('expected a box');
    expect(region.number).toBe(3);
    // the whole crop's padded square clipped to the crop = the crop rectangle on the full image
    expect(region.pixels).toEqual({ x1: crop.x, y1: crop.y, x2: crop.x + crop.width, y2: crop.y + crop.height });
    // crop turns are not history for later questions on the full image
    s.beginTurn('what else?');
    expect(s.requestTurns().turns).toHaveLength(3);
  });

  test('a new media starts a new context; earlier regions stay and switch the media back', () => {
    const s = withImageAndBoxes();
    s.addMedia({ kind: 'video', hash: HASH_V, mime: 'video/mp4', size: { width: 320, height: 240 }, durationSec: 10, source: { type: 'blob', key: HASH_V } });
    const plan = s.beginTurn('when does the ball fall?');
    if (plan.type !== 'ask') throw new Error('expected ask');
    expect(plan.request.turns).toEqual([{ role: 'user', text: 'when does the ball fall?' }]);
    const { regions } = s.addAnswer({ text: 'it falls {0.25, 0.60}', spans: [span(1, 0.25, 0.6, 'it falls')] });
    expect(regions[0]).toMatchObject({ kind: 'span', number: 3, mediaId: 2, seconds: { start: 2.5, end: 6 } });
    const spanPlan = s.beginTurn('what happens in span 3?');
    expect(spanPlan).toMatchObject({ type: 'ask', turn: { prompt: 'What happens in {0.25, 0.60}?', mediaId: 2 } });
    s.addAnswer({ text: 'the ball falls' });
    // a question about box 1 goes back to the image
    const back = s.beginTurn('what is in box 1?');
    expect(back).toMatchObject({ type: 'ask', media: { id: 1, kind: 'image' } });
    expect(s.record.activeMediaId).toBe(1);
    expect(s.resolve('compare 1 and 3')).toMatchObject({ status: 'invalid' });
    // a span is zoomed into in time: 2.5–6 s plus a quarter of its length before and after
    expect(s.resolve('zoom into 3')).toMatchObject({ status: 'resolved', kind: 'zoom', crop: null, clip: { start: 1.625, end: 6.875 }, question: 'What happens in this video?' });
    expect(s.resolve('zoom into 1 and 3')).toMatchObject({ status: 'invalid', message: expect.stringContaining('different media') });
    expect(s.resolve('what is in span 1?')).toMatchObject({ status: 'invalid', message: expect.stringContaining('is a box') });
    expect(s.record.media.map((m) => m.id)).toEqual([1, 2]);
  });

  test('the same bytes again reopen their context', () => {
    const s = withImageAndBoxes();
    s.addMedia({ kind: 'image', hash: HASH_B, mime: 'image/png', size: { width: 10, height: 10 }, durationSec: null, source: { type: 'url', url: 'u2' } });
    const again = s.addMedia({ kind: 'image', hash: HASH_A, mime: 'image/png', size: { width: 640, height: 480 }, durationSec: null, source: { type: 'url', url: 'u3' } });
    expect(again.id).toBe(1);
    expect(again.source).toEqual({ type: 'url', url: 'u3' });
    expect(s.record.activeMediaId).toBe(1);
  });

  test('reset forgets everything and numbering starts again', () => {
    const s = withImageAndBoxes();
    s.reset();
    expect(s.record.regions).toEqual([]);
    expect(s.record.turns).toEqual([]);
    expect(s.record.nextRegionNumber).toBe(1);
    expect(s.describeMemory()).toContain('do not remember anything');
  });

  test('describeMemory lists media and regions', () => {
    const s = withImageAndBoxes();
    expect(s.describeMemory()).toBe(
      [
        'Here is what I remember in this conversation:',
        '• image 1 (current): x.png, 640×480, 1 question',
        'Regions I remember: box 1 (red star), box 2 (blue star).',
        'Ask about a region by its number, e.g. “what is in box 1?”, “zoom into 1” or “compare 1 and 2”, or in words about the latest answer: “the left one”, “zoom into the heart”.',
      ].join('\n'),
    );
  });

  test('snapshot applies retention and bumps the revision', () => {
    const s = new ConversationSession(createConversationRecord('k', 0), testOptions({ maxTurns: 4 }), { now: () => 5 });
    for (let i = 0; i < 5; i += 1) {
      s.addUserTurn({ text: `q${i}` });
      s.addAnswer({ text: `a${i}` });
    }
    const { record, droppedTurns } = s.snapshot();
    expect(droppedTurns).toBe(6);
    expect(record.turns.map((t) => t.text)).toEqual(['q3', 'a3', 'q4', 'a4']);
    expect(record.revision).toBe(1);
    expect(record.droppedTurns).toBe(6);
  });
});
