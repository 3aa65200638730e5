import { ConversationSession } from '../../src/conversation/conversation-session';
import { drawnRegionFromJson, findDrawnRegions, parseRegionOption, withDrawnRegion } from '../../src/conversation/drawn-region';
import { ConversationRecordSchema } from '../../src/conversation/record';
import { parseReferences } from '../../src/conversation/reference-parser';
import { HASH_A, HASH_V, newSession, testOptions } from './session-settings';

const options = testOptions();

const session = (): ConversationSession => newSession(options);

/** a 640×400 image: S = 640, 120 px of padding above and below in the model's frame */
function withImage(): ConversationSession {
  const s = session();
  s.addMedia({ kind: 'image', hash: HASH_A, mime: 'image/png', size: { width: 640, height: 400 }, durationSec: null, source: { type: 'blob', key: HASH_A }, name: 'x.png' });
  return s;
}

function withVideo(): ConversationSession {
  const s = session();
  s.addMedia({ kind: 'video', hash: HASH_V, mime: 'video/mp4', size: { width: 160, height: 120 }, durationSec: 8, source: { type: 'blob', key: HASH_V }, name: 'v.mp4' });
  return s;
}

describe('regions drawn by hand', () => {
  test('found in text with their place; not read as numbered regions 10, 20, 200 and 180', () => {
    const text = 'What is in the region 10,20,200,180 please?';
    const [phrase] = findDrawnRegions(text);
    expect(phrase?.region).toEqual({ kind: 'box', pixels: { x1: 10, y1: 20, x2: 200, y2: 180 } });
    expect(text.slice(phrase!.start, phrase!.end)).toBe('the region 10,20,200,180');
    expect(text.slice(phrase!.start, phrase!.coordsStart)).toBe('the region ');
    expect(parseReferences(text)).toBeNull();
    expect(findDrawnRegions('area (10, 20, 200, 180) px')[0]?.region.kind).toBe('box');
    expect(findDrawnRegions('what happens in the span 1.5s-3s?')[0]?.region).toEqual({ kind: 'span', seconds: { start: 1.5, end: 3 } });
    expect(findDrawnRegions('the segment from 2 to 4.5 seconds')[0]?.region).toEqual({ kind: 'span', seconds: { start: 2, end: 4.5 } });
    // numbered references stay references
    expect(findDrawnRegions('what is in region 2 and span 1-3?')).toEqual([]);
    expect(parseReferences('compare box 1 and the region 1,2,30,40')?.refs).toEqual([1]);
  });

  test('a drawn rectangle goes to the model as a LEGO box in the padded-square frame, numbered for later turns', () => {
    const s = withImage();
    const plan = s.beginTurn('What is in the region 60,60,220,220?');
    expect(plan.type).toBe('ask');
    if (plan.type !== 'ask') return;
    // x = X/640, y = (Y + 120)/640
    expect(plan.turn.prompt).toBe('What is in the region [0.094, 0.281, 0.344, 0.531]?');
    expect(plan.request.turns.at(-1)?.text).toBe('What is in the region [0.094, 0.281, 0.344, 0.531]?');
    expect(plan.drawn).toHaveLength(1);
    const region = plan.drawn[0]!;
    expect(region).toMatchObject({ kind: 'box', number: 1, drawn: true, mediaId: 1, pixels: { x1: 60, y1: 60, x2: 220, y2: 220 } });
    s.addAnswer({ text: 'A red circle.' });
    expect(s.describeMemory()).toMatch(/box 1 \(drawn by you\)/);
    // "box 1" later is the same rectangle
    const later = s.beginTurn('What colour is box 1?');
    expect(later.type === 'ask' && later.turn.prompt).toBe('What colour is [0.094, 0.281, 0.344, 0.531]?');
    // the model showing the same box again keeps its number
    const { regions } = s.addAnswer({ text: 'red [0.094, 0.281, 0.344, 0.531]', boxes: [{ index: 1, box: { x1: 0.094, y1: 0.281, x2: 0.344, y2: 0.531 }, raw: '' }] });
    expect(regions.map((r) => r.number)).toEqual([1]);
    expect(ConversationRecordSchema.safeParse(s.record).success).toBe(true);
  });

  test('drawn and numbered regions in one question; a rectangle partly outside the image is clipped', () => {
    const s = withImage();
    s.beginTurn('Where is the square?');
    s.addAnswer({ text: 'here [0.563, 0.469, 0.875, 0.719]', boxes: [{ index: 1, box: { x1: 0.563, y1: 0.469, x2: 0.875, y2: 0.719 }, raw: '' }] });
    const plan = s.beginTurn('compare box 1 and the region 600,380,700,500');
    expect(plan.type).toBe('ask');
    if (plan.type !== 'ask') return;
    expect(plan.turn.prompt).toBe('Compare [0.563, 0.469, 0.875, 0.719] and the region [0.938, 0.781, 1.000, 0.813]');
    expect(plan.drawn[0]).toMatchObject({ number: 2, pixels: { x1: 600, y1: 380, x2: 640, y2: 400 } });
  });

  test('impossible regions get one polite sentence and store nothing', () => {
    const s = withImage();
    for (const [text, words] of [
      ['what is in the region 200,20,10,180?', /empty/],
      ['what is in the region 700,500,800,600?', /outside the image, which is 640×400/],
      ['what happens in the span 1s-2s?', /needs a video/],
    ] as const) {
      const plan = s.beginTurn(text);
      expect(plan.type).toBe('reply');
      expect(plan.type === 'reply' && plan.text).toMatch(words);
    }
    expect(s.record.turns).toHaveLength(0);
    expect(s.record.regions).toHaveLength(0);
    const video = withVideo();
    const plan = video.beginTurn('what is in the region 1,1,20,20?');
    expect(plan.type === 'reply' && plan.text).toMatch(/needs an image/);
    const late = video.beginTurn('what happens in the span 9s-10s?');
    expect(late.type === 'reply' && late.text).toMatch(/after the end of the video \(8 s\)/);
  });

  test('a drawn span goes to the model as a LEGO span (fractions of the duration)', () => {
    const s = withVideo();
    const plan = s.beginTurn('What happens in the span 2s-6s?');
    expect(plan.type === 'ask' && plan.turn.prompt).toBe('What happens in the span {0.25, 0.75}?');
    expect(plan.type === 'ask' && plan.drawn[0]).toMatchObject({ kind: 'span', number: 1, seconds: { start: 2, end: 6 } });
  });

  test('withDrawnRegion writes the region into the question the way the parser reads it back', () => {
    const box = { kind: 'box' as const, pixels: { x1: 10.4, y1: 20, x2: 200, y2: 180.6 } };
    expect(withDrawnRegion('', box)).toBe('What is in the region 10,20,200,181?');
    expect(withDrawnRegion('What colour is this region?', box)).toBe('What colour is the region 10,20,200,181?');
    expect(withDrawnRegion('What colour is it', box)).toBe('What colour is it? (the region 10,20,200,181)');
    expect(withDrawnRegion('What is in the region 1,2,3,4?', box)).toBe('What is in the region 1,2,3,4?');
    expect(withDrawnRegion('', { kind: 'span', seconds: { start: 1.5, end: 3 } })).toBe('What happens in the span 1.5s-3s?');
    for (const text of ['', 'What colour is this region?', 'What colour is it']) {
      expect(findDrawnRegions(withDrawnRegion(text, box))).toHaveLength(1);
    }
  });

  test('the CLI option and the web JSON shapes', () => {
    expect(parseRegionOption('10,20,200,180')).toEqual({ x1: 10, y1: 20, x2: 200, y2: 180 });
    expect(parseRegionOption('10,20,200')).toBeNull();
    expect(parseRegionOption('a,b,c,d')).toBeNull();
    expect(drawnRegionFromJson({ x1: 1, y1: 2, x2: 3, y2: 4 })).toEqual({ kind: 'box', pixels: { x1: 1, y1: 2, x2: 3, y2: 4 } });
    expect(drawnRegionFromJson({ start: 1, end: 2 })).toEqual({ kind: 'span', seconds: { start: 1, end: 2 } });
    expect(drawnRegionFromJson({ x1: -1, y1: 2, x2: 3, y2: 4 })).toBeNull();
    expect(drawnRegionFromJson('10,20,30,40')).toBeNull();
  });
});
