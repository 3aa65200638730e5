import { soundNeedsText, soundQuestionNeeds } from '../../src/bot/sound-question';

describe('what a question about a sound alone needs', () => {
  it.each([
    ['Where does this sound come from?', 'image'],
    ['Can you box the shape you can hear?', 'image'],
    ['Please give the coordinates of the thing making this noise.', 'image'],
    ['Which part of the image makes this sound?', 'image'],
    ['When is the red star heard?', 'video'],
    ['Mark the moment the sound starts', 'video'],
    ['During which part of the clip is it heard?', 'video'],
    ['What makes this sound?', null],
    ['Can you identify this sound please?', null],
    ['Which shape is it?', null],
  ] as const)('%s → %s', (question, need) => {
    expect(soundQuestionNeeds(question)).toBe(need);
  });

  it('asks for the missing picture or video in one sentence', () => {
    for (const need of ['image', 'video'] as const) {
      const text = soundNeedsText(need);
      expect(text.split(/(?<=[.!?])\s/)).toHaveLength(1);
      expect(text).toMatch(need === 'image' ? /image/ : /video/);
    }
  });
});
