import { numberRegions } from '../../src/bot/numbered-text';
import type { NumberedRegion } from '../../src/bot/numbered-text';
import { parseGrounding } from '../../src/grounding/parse-grounding';

/** The regions of a LEGO text as the engine's parse reports them, numbered `numbers` in order. */
function regions(text: string, numbers: number[]): NumberedRegion[] {
  return parseGrounding(text).map((m, i) => ({ start: m.textStart ?? m.offset, end: m.textEnd ?? m.offset + m.raw.length, number: numbers[i] ?? 99 }));
}

describe('numberRegions', () => {
  it('replaces each region’s range by its number, in order, mixed', () => {
    const text = 'The star [0.100, 0.200, 0.300, 0.400] lights up {0.10, 0.35} next to the cup [0.5,0.5,0.9,0.9].';
    expect(numberRegions(text, regions(text, [4, 7, 2]))).toBe('The star [4] lights up [7] next to the cup [2].');
  });

  it('uses the ranges it is given, never its own parse: text outside them stays as written', () => {
    const text = 'a [0.1, 0.2, 0.3, 0.4] b [0.5, 0.5, 0.6, 0.6]';
    expect(numberRegions(text, regions(text, [1]).slice(0, 1))).toBe('a [1] b [0.5, 0.5, 0.6, 0.6]');
    expect(numberRegions('No boxes [here], 3 of them.', [])).toBe('No boxes [here], 3 of them.');
  });

  it('keeps the words the markup held in front of the number', () => {
    const text = '<ref>the dog</ref><box>(1,2),(3,4)</box> sits.';
    expect(numberRegions(text, [{ start: 0, end: text.indexOf(' sits'), number: 3, shown: 'the dog' }])).toBe('the dog [3] sits.');
    expect(numberRegions('See:' + text, [{ start: 4, end: 4 + text.indexOf(' sits'), number: 1, shown: 'the dog' }])).toBe('See: the dog [1] sits.');
  });

  it('a `;` group of boxes takes its brackets with it', () => {
    const text = 'two dogs [0.102,0.340,0.560,0.910;0.600,0.300,0.900,0.880] here';
    expect(numberRegions(text, regions(text, [1, 2]))).toBe('two dogs [1] [2] here');
  });

  it('partial text: holds back markup at the end whose region is not reported yet', () => {
    expect(numberRegions('The star [0.100, 0.2', [], { partial: true })).toBe('The star');
    const two = 'The star [0.100, 0.200, 0.300, 0.400] and {0.1';
    expect(numberRegions(two, regions(two, [3]).slice(0, 1), { partial: true })).toBe('The star [3] and');
    expect(numberRegions('The star [0.100, 0.200, 0.300, 0.400]', [], { partial: true })).toBe('The star');
    expect(numberRegions('a car<loc_52><loc_3', [], { partial: true })).toBe('a car');
    expect(numberRegions('a dog (the brown one)', [], { partial: true })).toBe('a dog (the brown one)');
  });
});
