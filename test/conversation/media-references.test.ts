import { describeSwitch, findMediaReference } from '../../src/conversation/media-references';
import { HASH_A, HASH_B, HASH_V, box, newSession } from './session-settings';

const HASH_C = 'd'.repeat(64);

/** image 1 (a.png, with a box on its left), image 2 (b.png), video 3 (v.mp4), image 4 (c.png, current) */
function conversation() {
  const s = newSession();
  s.addMedia({ kind: 'image', hash: HASH_A, mime: 'image/png', size: { width: 400, height: 400 }, durationSec: null, source: { type: 'blob', key: HASH_A }, name: 'a.png' });
  s.beginTurn('what is there?');
  s.addAnswer({ text: 'a heart [1] and a star [2]', boxes: [box(1, 0.1, 0.4, 0.3, 0.6, 'heart'), box(2, 0.6, 0.4, 0.9, 0.7, 'star')] });
  s.addMedia({ kind: 'image', hash: HASH_B, mime: 'image/png', size: { width: 400, height: 300 }, durationSec: null, source: { type: 'blob', key: HASH_B }, name: 'b.png' });
  s.addMedia({ kind: 'video', hash: HASH_V, mime: 'video/mp4', size: { width: 320, height: 240 }, durationSec: 8, source: { type: 'blob', key: HASH_V }, name: 'v.mp4' });
  s.addMedia({ kind: 'image', hash: HASH_C, mime: 'image/png', size: { width: 200, height: 200 }, durationSec: null, source: { type: 'blob', key: HASH_C }, name: 'c.png' });
  return s;
}

function switchedTo(text: string): [number, string] | string {
  const found = findMediaReference(text, conversation().record);
  if (found.status === 'named') return [found.media.id, found.text];
  return found.status;
}

describe('earlier media named in words', () => {
  test.each([
    ['what is in the first image?', [1, 'what is in this image?']],
    ['and the second photo?', [2, 'and this image?']],
    ['go back to image 1', [1, 'go back to this image']],
    ['what happens in video 3?', [3, 'what happens in this video?']],
    ['what happens in the video?', [3, 'what happens in this video?']],
    ['and in the last video?', [3, 'and in this video?']],
    ['what was in the previous picture?', [2, 'what was in this image?']],
  ] as const)('%s', (text, expected) => {
    expect(switchedTo(text)).toEqual(expected);
  });

  test('the current media, or no media named, is no switch', () => {
    for (const text of ['what is in this image?', 'what is in the image?', 'image 4, please', 'where is the star?', 'the last image']) {
      expect([text, switchedTo(text)]).toEqual([text, 'none']);
    }
    const single = newSession();
    single.addMedia({ kind: 'image', hash: HASH_A, mime: 'image/png', size: { width: 10, height: 10 }, durationSec: null, source: { type: 'blob', key: HASH_A }, name: 'a.png' });
    expect(findMediaReference('what is in the first image?', single.record)).toEqual({ status: 'none' });
  });

  test('a media that is not there, or one of several, is asked back', () => {
    const s = conversation();
    expect(findMediaReference('what is in image 7?', s.record)).toEqual({
      status: 'unclear',
      message: 'I have no image 7 in this conversation. The images are image 1 (a.png), image 2 (b.png), image 4 (c.png).',
    });
    expect(findMediaReference('and the other image?', s.record)).toMatchObject({ status: 'unclear', message: expect.stringContaining('Which one?') });
    expect(findMediaReference('and the fourth video?', s.record)).toMatchObject({ status: 'unclear', message: expect.stringContaining('no fourth video') });
  });

  test('a turn about the first image is asked about it, with its own history; its regions are named in words there', () => {
    const s = conversation();
    const plan = s.beginTurn('what is the left one in the first image?');
    if (plan.type !== 'ask') throw new Error(`expected ask, got ${plan.type}`);
    expect(plan.media?.id).toBe(1);
    expect(s.record.activeMediaId).toBe(1);
    expect(plan.turn.text).toBe('what is the left one in the first image?');
    expect(plan.turn.prompt).toBe('What is [0.100, 0.400, 0.300, 0.600] in this image?');
    expect(plan.request.turns.map((t) => t.text)).toEqual(['what is there?', 'a heart [1] and a star [2]', 'What is [0.100, 0.400, 0.300, 0.600] in this image?']);
    if (plan.resolution.status !== 'resolved') throw new Error('expected resolved');
    expect(describeSwitch(plan.resolution.switched!)).toBe('I looked at image 1 (a.png) again.');
    // and without regions: the question as it is, about that media
    const back = s.beginTurn('what is in image 2?');
    expect(back).toMatchObject({ type: 'ask', media: { id: 2 }, turn: { prompt: 'What is in this image?' }, resolution: { kind: 'ask-media' } });
  });
});
