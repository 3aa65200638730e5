import fc from 'fast-check';
import { formatBox, formatSpan } from '../../src/grounding/lego-format';
import { parseBoxes, parseGrounding, parseSpans } from '../../src/grounding/parse-grounding';
import type { GroundingWarning } from '../../src/grounding/types';

describe('parseBoxes', () => {
  it('reads a LEGO box with spaces', () => {
    const [m, ...rest] = parseBoxes('The red star is at [0.112, 0.430, 0.251, 0.618].');
    expect(rest).toHaveLength(0);
    expect(m).toEqual({
      kind: 'box',
      box: { x1: 0.112, y1: 0.43, x2: 0.251, y2: 0.618 },
      raw: '[0.112, 0.430, 0.251, 0.618]',
      offset: 19,
      label: 'red star',
    });
  });

  it('reads boxes without spaces, adjacent, comma- and ;-separated', () => {
    const text = 'a [0.1,0.2,0.3,0.4][0.5,0.6,0.7,0.8]; [0.000, 0.000, 1.000, 1.000], [0.2 ,0.2, 0.3,0.3]';
    const boxes = parseBoxes(text).map((m) => m.box);
    expect(boxes).toEqual([
      { x1: 0.1, y1: 0.2, x2: 0.3, y2: 0.4 },
      { x1: 0.5, y1: 0.6, x2: 0.7, y2: 0.8 },
      { x1: 0, y1: 0, x2: 1, y2: 1 },
      { x1: 0.2, y1: 0.2, x2: 0.3, y2: 0.3 },
    ]);
  });

  it('reads Shikra-style ;-separated groups inside one bracket with their own offsets', () => {
    const text = 'two [0.102,0.340,0.560,0.910;0.200,0.300,0.400,0.500]';
    const ms = parseBoxes(text);
    expect(ms.map((m) => m.box)).toEqual([
      { x1: 0.102, y1: 0.34, x2: 0.56, y2: 0.91 },
      { x1: 0.2, y1: 0.3, x2: 0.4, y2: 0.5 },
    ]);
    for (const m of ms) expect(text.slice(m.offset, m.offset + m.raw.length)).toBe(m.raw);
  });

  it('skips malformed numbers with a warning and never throws', () => {
    const warnings: GroundingWarning[] = [];
    const text = 'x [0.1, abc, 0.3, 0.4] y [0.1, 0.2, 0.3] z [1.5, 0.2, 0.3, 0.4] w [0.5, 0.5, 0.1, 0.9] ok [0.1, 0.2, 0.3, 0.4]';
    const boxes = parseBoxes(text, { onWarning: (w) => warnings.push(w) });
    expect(boxes.map((m) => m.box)).toEqual([{ x1: 0.1, y1: 0.2, x2: 0.3, y2: 0.4 }]);
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatchObject({ raw: '[0.1, abc, 0.3, 0.4]', offset: 2 });
    expect(warnings[0]!.message).toMatch(/abc/);
  });

  it('ignores prose in brackets and JSON silently, but warns about coordinates of another scale', () => {
    const warnings: GroundingWarning[] = [];
    const all = parseGrounding('see [note 1] and {"bbox_2d": [120, 340, 560, 780]} [a, b] {x}', { onWarning: (w) => warnings.push(w) });
    expect(all).toEqual([]);
    expect(warnings.map((w) => w.raw)).toEqual(['[120, 340, 560, 780]']);
  });

  it('warns about an unterminated box at the end', () => {
    const warnings: GroundingWarning[] = [];
    expect(parseBoxes('The star is at [0.112, 0.430, 0.2', { onWarning: (w) => warnings.push(w) })).toEqual([]);
    expect(warnings.map((w) => w.message)).toEqual(['unterminated box']);
  });

  it('survives a throwing warning callback', () => {
    const onWarning = (): void => {
      throw new Error('logger down');
    };
    expect(parseBoxes('[0.1, x, 0.2, 0.3] [0.1, 0.2, 0.3, 0.4]', { onWarning })).toHaveLength(1);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('[', ']', '{', '}', ',', ';', '.', '0', '1', '5', ' ', 'a', '\n', '-') }), (s) => {
        parseGrounding(s, { onWarning: () => undefined });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseSpans', () => {
  it('reads spans with any spacing', () => {
    const spans = parseSpans('The red star is visible during {0.09,0.15}, then {0.16, 0.36} and {  0.5 ,0.60 }.');
    expect(spans.map((m) => m.span)).toEqual([
      { start: 0.09, end: 0.15 },
      { start: 0.16, end: 0.36 },
      { start: 0.5, end: 0.6 },
    ]);
    expect(spans[0]!.label).toBe('red star');
  });

  it('does not mistake boxes for spans or spans for boxes', () => {
    const all = parseGrounding('a red star [0.1, 0.2, 0.3, 0.4] during {0.25, 0.60}');
    expect(all.map((m) => m.kind)).toEqual(['box', 'span']);
    expect(parseBoxes('{0.25, 0.60}')).toEqual([]);
    expect(parseSpans('[0.1, 0.2, 0.3, 0.4]')).toEqual([]);
  });
});

const fraction3 = fc.integer({ min: 0, max: 1000 }).map((i) => i / 1000);
const fraction2 = fc.integer({ min: 0, max: 100 }).map((i) => i / 100);
const modelBox = fc
  .tuple(fraction3, fraction3, fraction3, fraction3)
  .map(([a, b, c, d]) => ({ x1: Math.min(a, c), y1: Math.min(b, d), x2: Math.max(a, c), y2: Math.max(b, d) }));
const modelSpan = fc.tuple(fraction2, fraction2).map(([a, b]) => ({ start: Math.min(a, b), end: Math.max(a, b) }));

describe('format ∘ parse', () => {
  it('formats LEGO boxes and spans', () => {
    expect(formatBox({ x1: 0.112, y1: 0.43, x2: 0.251, y2: 0.618 })).toBe('[0.112, 0.430, 0.251, 0.618]');
    expect(formatSpan({ start: 0.25, end: 0.6 })).toBe('{0.25, 0.60}');
    expect(formatBox({ x1: -0.2, y1: 1.7, x2: Number.NaN, y2: 1 })).toBe('[0.000, 1.000, 0.000, 1.000]');
  });

  it('parse(format(box)) is the box, for 3-decimal boxes', () => {
    fc.assert(
      fc.property(modelBox, (b) => {
        const [m] = parseBoxes(formatBox(b));
        expect(m!.box).toEqual(b);
      }),
    );
  });

  it('format(parse(text)) is the text, for canonical LEGO boxes and spans', () => {
    fc.assert(
      fc.property(modelBox, modelSpan, (b, s) => {
        const tb = formatBox(b);
        const ts = formatSpan(s);
        expect(formatBox(parseBoxes(tb)[0]!.box)).toBe(tb);
        expect(formatSpan(parseSpans(ts)[0]!.span)).toBe(ts);
      }),
    );
  });

  it('reads every box in a list of formatted boxes, whatever the separators', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(modelBox, fc.constantFrom('', ' ', ', ', '; ', ' and ', '.\n')), { maxLength: 8 }), (items) => {
        const text = items.map(([b, sep]) => formatBox(b) + sep).join('');
        expect(parseBoxes(text).map((m) => m.box)).toEqual(items.map(([b]) => b));
      }),
    );
  });
});
