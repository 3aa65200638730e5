import { labelBefore } from '../../src/grounding/grounding-label';
import { parseGrounding } from '../../src/grounding/parse-grounding';

function labels(text: string): (string | undefined)[] {
  return parseGrounding(text).map((m) => m.label);
}

describe('labels', () => {
  it.each([
    ['The red star is at [0.112, 0.430, 0.251, 0.618].', ['red star']],
    ['a blue circle [0.1, 0.2, 0.3, 0.4]', ['blue circle']],
    ['Yes, there is a green heart at [0.1, 0.2, 0.3, 0.4].', ['green heart']],
    ['It is at [0.1, 0.2, 0.3, 0.4].', [undefined]],
    ['The blue circle left of the red star is at [0.1, 0.2, 0.3, 0.4].', ['blue circle']],
    ['There is 1 red star: [0.1, 0.2, 0.3, 0.4].', ['red star']],
    [
      'There are 3 shapes: a red star [0.1, 0.2, 0.3, 0.4], a blue circle [0.2, 0.2, 0.3, 0.4] and a green square [0.3, 0.2, 0.4, 0.4].',
      ['red star', 'blue circle', 'green square'],
    ],
    ['There are 2 stars: [0.1, 0.2, 0.3, 0.4] and [0.2, 0.2, 0.3, 0.4].', ['stars', undefined]],
    ['A red star moves left during {0.10, 0.50}. The square turns blue during {0.5, 0.9}.', ['red star', 'square']],
    ['The yellow cross is visible during {0.09,0.15}.', ['yellow cross']],
    ['What is in [0.1, 0.2, 0.3, 0.4]?', [undefined]],
    // lego-tiny v2's sound answers: the source, not "sound comes" (the legend showed that)
    ['The sound comes from the purple star at [0.1, 0.2, 0.3, 0.4].', ['purple star']],
    ['It comes from the red heart at [0.1, 0.2, 0.3, 0.4].', ['red heart']],
    ['The red square is heard during {0.13, 0.63}.', ['red square']],
  ])('%s', (text, expected) => {
    expect(labels(text)).toEqual(expected);
  });

  it('never reads before `from`', () => {
    expect(labelBefore('the red star and', 16, 13)).toBeUndefined();
    expect(labelBefore('', 0)).toBeUndefined();
    expect(labelBefore('x', 99, -5)).toBe('x');
  });
});
