import fc from 'fast-check';
import { GroundingScanner } from '../../src/grounding/grounding-scanner';
import { formatBox, formatSpan } from '../../src/grounding/lego-format';
import { parseGrounding } from '../../src/grounding/parse-grounding';

describe('GroundingScanner', () => {
  it('emits a box with the delta that closes it, not before', () => {
    const s = new GroundingScanner();
    expect(s.push('The red star is at [0.112, ')).toEqual([]);
    expect(s.push('0.430, 0.251, 0.61')).toEqual([]);
    const out = s.push('8]. And {0.25,');
    expect(out).toEqual([
      { kind: 'box', box: { x1: 0.112, y1: 0.43, x2: 0.251, y2: 0.618 }, raw: '[0.112, 0.430, 0.251, 0.618]', offset: 19, label: 'red star' },
    ]);
    expect(s.push(' 0.60}')).toMatchObject([{ kind: 'span', span: { start: 0.25, end: 0.6 }, offset: 53 }]);
    expect(s.flush()).toEqual([]);
    expect(s.text).toBe('The red star is at [0.112, 0.430, 0.251, 0.618]. And {0.25, 0.60}');
  });

  it('gives the same matches however the text is cut into deltas', () => {
    const piece = fc.oneof(
      fc.constantFrom('The red star is at ', 'a blue circle ', ', ', ' and ', '. ', 'during ', '[see] ', '[0.1, x, 0.2, 0.3] '),
      fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 })).map(([a, b]) =>
        formatBox({ x1: Math.min(a, b) / 1000, y1: 0.1, x2: Math.max(a, b) / 1000, y2: 0.9 }),
      ),
      fc.integer({ min: 0, max: 100 }).map((a) => formatSpan({ start: a / 200, end: a / 100 })),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }), (pieces, cuts) => {
        const text = pieces.join('');
        const whole = parseGrounding(text, { onWarning: () => undefined });
        const s = new GroundingScanner({ onWarning: () => undefined });
        const streamed = [];
        let i = 0;
        let c = 0;
        while (i < text.length) {
          const n = cuts[c++ % cuts.length]!;
          const delta = text.slice(i, i + n);
          i += n;
          const got = s.push(delta);
          for (const m of got) {
            // emitted exactly when its closing bracket arrived
            expect(m.offset + m.raw.length).toBeLessThanOrEqual(i);
            expect(m.offset + m.raw.length).toBeGreaterThan(i - n);
          }
          streamed.push(...got);
        }
        streamed.push(...s.flush());
        expect(streamed).toEqual(whole);
        for (const m of whole) expect(text.slice(m.offset, m.offset + m.raw.length)).toBe(m.raw);
      }),
    );
  });

  it('gives up on an opener that never closes and still finds later boxes', () => {
    const s = new GroundingScanner();
    const junk = '[' + 'x'.repeat(500) + ' ';
    expect(s.push(junk)).toEqual([]);
    expect(s.push('then [0.1, 0.2, 0.3, 0.4]')).toHaveLength(1);
  });
});
