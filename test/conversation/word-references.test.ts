import { ConversationSession } from '../../src/conversation/conversation-session';
import { describeNamed, resolveWordReferences } from '../../src/conversation/word-references';
import { HASH_A, HASH_B, HASH_V, box, newSession, span } from './session-settings';

const session = (): ConversationSession => newSession();

/**
 * A 400×400 image (model frame = pixels / 400) and an answer with three boxes:
 * 1 pink heart on the left (x 40–120, y 180–260), 2 white star at the top middle (x 160–240, y 40–120),
 * 3 pink star on the right, the biggest (x 260–380, y 160–280).
 */
function threeShapes(): ConversationSession {
  const s = session();
  s.addMedia({ kind: 'image', hash: HASH_A, mime: 'image/png', size: { width: 400, height: 400 }, durationSec: null, source: { type: 'url', url: 'https://cdn/x.png' }, name: 'x.png' });
  expect(s.beginTurn('What is in this picture?').type).toBe('ask');
  s.addAnswer({
    text: 'a pink heart [1], a white star [2] and a pink star [3]',
    boxes: [box(1, 0.1, 0.45, 0.3, 0.65, 'pink heart'), box(2, 0.4, 0.1, 0.6, 0.3, 'white star'), box(3, 0.65, 0.4, 0.95, 0.7, 'pink star')],
  });
  return s;
}

function rewritten(s: ConversationSession, text: string): string | null {
  const result = resolveWordReferences(text, s.record);
  if (result.status === 'unclear') throw new Error(`unclear: ${result.message}`);
  return result.status === 'named' ? result.text : null;
}

/** Ask `first` on the three shapes, then return the question back that `then` gets. */
function threeShapesAfter(first: string, then: string): string {
  const s = threeShapes();
  s.beginTurn(first);
  s.addAnswer({ text: 'It is pink.' });
  return unclear(s, then);
}

function unclear(s: ConversationSession, text: string): string {
  const result = resolveWordReferences(text, s.record);
  if (result.status !== 'unclear') throw new Error(`expected a question back for "${text}", got ${result.status}`);
  return result.message;
}

describe('regions named in words', () => {
  test.each([
    ['what is the left one?', 'what is box 1?'],
    ['What colour is the leftmost box?', 'What colour is box 1?'],
    ['and the right one?', 'and box 3?'],
    ['what is the top one', 'what is box 2'],
    ['is the upper shape a star?', 'is box 2 a star?'],
    ['what is the one on the left?', 'what is box 1?'],
    ['describe the one in the bottom right corner', 'describe box 3'],
    ['what is the one in the middle?', 'what is box 2?'],
    ['how big is the biggest one?', 'how big is box 3?'],
    ['what is the second one?', 'what is box 2?'],
    ['and the last box?', 'and box 3?'],
    ['zoom into the left one', 'zoom into box 1'],
    ['please zoom in on the top one', 'please zoom in on box 2'],
    ['zoom into the one on the right', 'zoom into box 3'],
    ['what colour is the left star?', 'what colour is box 2?'],
    ['zoom into the star on the right', 'zoom into box 3'],
    ['is the bigger star pink?', 'is box 3 pink?'],
    ['and the top heart?', 'and box 1?'],
    ['compare the left one and the right one', 'compare box 1 and box 3'],
  ])('%s → %s', (text, expected) => {
    expect(rewritten(threeShapes(), text)).toBe(expected);
  });

  test.each([
    ['zoom into the pink star', 'zoom into box 3'],
    ['Zoom in on the heart and tell me its colour', 'Zoom in on box 1 and tell me its colour'],
    ['zoom into the white one', 'zoom into box 2'],
    ['compare the heart and the white star', 'compare box 1 and box 2'],
    ['compare the heart with 3', 'compare box 1 with 3'],
    ['compare them', 'compare boxes 1, 2 and 3'],
  ])('after a verb, labels and pronouns: %s → %s', (text, expected) => {
    expect(rewritten(threeShapes(), text)).toBe(expected);
  });

  test('words that fit two regions are asked back, never guessed', () => {
    const s = threeShapes();
    expect(unclear(s, 'zoom into the star')).toBe('“the star” could be box 2 (white star) or box 3 (pink star). Which one? Say it with its number, e.g. “box 2”.');
    expect(unclear(s, 'zoom into the pink one')).toContain('box 1 (pink heart) or box 3 (pink star)');
    // the heart and the white star have the same area
    expect(unclear(s, 'what is the smallest one?')).toContain('box 1 (pink heart) or box 2 (white star)');
    expect(unclear(s, 'zoom into it')).toContain('could be box 1 (pink heart), box 2 (white star) or box 3 (pink star)');
    expect(unclear(s, 'compare the two boxes')).toContain('could be');
    expect(unclear(s, 'what is the fifth one?')).toBe('There is no fifth one: I showed 3 boxes there, box 1 (pink heart), box 2 (white star) and box 3 (pink star). Say which with its number.');
  });

  test('"it" and a bare "zoom in" are the latest answer\'s one box; "the left one" still picks among the latest answer that showed several', () => {
    const s = threeShapes();
    s.beginTurn('where is the heart?');
    s.addAnswer({ text: 'the heart [4]', boxes: [box(1, 0.1, 0.45, 0.3, 0.65, 'heart')] });
    expect(rewritten(s, 'zoom into it')).toBe('zoom into box 1');
    expect(rewritten(s, 'zoom in')).toBe('zoom in on box 1');
    expect(rewritten(s, 'zoom in please')).toBe('zoom in on box 1 please');
    expect(rewritten(s, 'what is the right one?')).toBe('what is box 3?');
  });

  test('"the other one" is the one of the set the previous question did not name', () => {
    const s = session();
    s.addMedia({ kind: 'image', hash: HASH_A, mime: 'image/png', size: { width: 400, height: 400 }, durationSec: null, source: { type: 'url', url: 'https://cdn/x.png' }, name: 'x.png' });
    s.beginTurn('where are the shapes?');
    s.addAnswer({ text: 'a heart [1] and a star [2]', boxes: [box(1, 0.1, 0.45, 0.3, 0.65, 'heart'), box(2, 0.6, 0.4, 0.9, 0.7, 'star')] });
    // before any question named one of them, "the other one" means nothing here
    expect(resolveWordReferences('and the other one?', s.record)).toEqual({ status: 'none' });
    s.beginTurn('what colour is the left one?');
    s.addAnswer({ text: 'It is pink.' });
    expect(rewritten(s, 'and the other one?')).toBe('and box 2?');
    s.beginTurn('what is in box 2?');
    s.addAnswer({ text: 'A star.' });
    expect(rewritten(s, 'zoom into the other one')).toBe('zoom into box 1');
    expect(threeShapesAfter('what is the left one?', 'and the other one?')).toMatch(/could be box 2 \(white star\) or box 3 \(pink star\)/);
  });

  test('nothing is named without regions shown on the current media, and numbers, hand-drawn regions and other words stay as written', () => {
    const fresh = session();
    fresh.addMedia({ kind: 'image', hash: HASH_A, mime: 'image/png', size: { width: 400, height: 400 }, durationSec: null, source: { type: 'url', url: 'https://cdn/x.png' }, name: 'x.png' });
    expect(resolveWordReferences('zoom into the left one', fresh.record)).toEqual({ status: 'none' });
    const s = threeShapes();
    for (const text of [
      'what is in box 2?',
      'zoom into 3',
      'what is on the left?',
      'zoom into this image',
      'what is in the region 10,20,200,180?',
      'where is the red circle?',
      'zoom into the tree',
      'compare the two trees',
      'is this the right one?',
      'what did you see the first time?',
      'what is the left tree?',
      "that's the right one",
    ]) {
      expect([text, resolveWordReferences(text, s.record)]).toEqual([text, { status: 'none' }]);
    }
    // a new image: the first one's boxes are not its boxes
    s.addMedia({ kind: 'image', hash: HASH_B, mime: 'image/png', size: { width: 400, height: 400 }, durationSec: null, source: { type: 'url', url: 'https://cdn/y.png' }, name: 'y.png' });
    expect(resolveWordReferences('what is the left one?', s.record)).toEqual({ status: 'none' });
  });

  test('on a video: order and length pick spans, sides do not', () => {
    const s = session();
    s.addMedia({ kind: 'video', hash: HASH_V, mime: 'video/mp4', size: { width: 640, height: 360 }, durationSec: 10, source: { type: 'url', url: 'https://cdn/v.mp4' }, name: 'v.mp4' });
    s.beginTurn('when do the shapes appear?');
    s.addAnswer({ text: 'the blue star {0.1, 0.3} and the red circle {0.5, 0.9}', spans: [span(1, 0.1, 0.3, 'blue star'), span(2, 0.5, 0.9, 'red circle')] });
    expect(rewritten(s, 'what happens in the second span?')).toBe('what happens in span 2?');
    expect(rewritten(s, 'what happens in the longest one?')).toBe('what happens in span 2?');
    expect(rewritten(s, 'compare them')).toBe('compare spans 1 and 2');
    expect(resolveWordReferences('what is the left one?', s.record)).toEqual({ status: 'none' });
    // nor with only one span shown
    const one = session();
    one.addMedia({ kind: 'video', hash: HASH_V, mime: 'video/mp4', size: { width: 640, height: 360 }, durationSec: 10, source: { type: 'url', url: 'https://cdn/v.mp4' }, name: 'v.mp4' });
    one.beginTurn('when does the circle appear?');
    one.addAnswer({ text: 'the red circle {0.5, 0.9}', spans: [span(1, 0.5, 0.9, 'red circle')] });
    expect(resolveWordReferences('what is the left one?', one.record)).toEqual({ status: 'none' });
    expect(rewritten(one, 'what happens in the first one?')).toBe('what happens in span 1?');
  });

  test('a turn: "zoom into the left one" crops the heart, keeps the person\'s words and says which box it took', () => {
    const s = threeShapes();
    const plan = s.beginTurn('zoom into the left one');
    if (plan.type !== 'ask') throw new Error(`expected ask, got ${plan.type}`);
    expect(plan.turn.text).toBe('zoom into the left one');
    // box 1 (x 40–120, y 180–260) grown by the zoom margins, inside the image
    expect(plan.crop).not.toBeNull();
    const crop = plan.crop!;
    expect(crop.x).toBeLessThanOrEqual(40);
    expect(crop.x + crop.width).toBeGreaterThanOrEqual(120);
    expect(crop.x + crop.width).toBeLessThan(260); // the pink star's left edge is not the point of the crop
    expect(crop.y).toBeLessThanOrEqual(180);
    expect(crop.y + crop.height).toBeGreaterThanOrEqual(260);
    if (plan.resolution.status !== 'resolved') throw new Error('expected resolved');
    expect(plan.resolution.named.map(describeNamed)).toEqual(['I took “the left one” as box 1 (pink heart).']);

    const ask = s.beginTurn('what colour is the top one?');
    if (ask.type !== 'ask') throw new Error('expected ask');
    expect(ask.turn.prompt).toBe('What colour is [0.400, 0.100, 0.600, 0.300]?');
  });

  test('an unclear choice is a reply and stores nothing', () => {
    const s = threeShapes();
    const turns = s.record.turns.length;
    const plan = s.beginTurn('zoom into the star');
    expect(plan.type).toBe('reply');
    expect(plan.type === 'reply' && plan.text).toMatch(/Which one\?/);
    expect(s.record.turns).toHaveLength(turns);
  });
});
