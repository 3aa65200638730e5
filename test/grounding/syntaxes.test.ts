import {
  detectSyntaxes,
  findGrounding,
  frameBoxToLego,
  frameBoxToPixels,
  GROUNDING_SYNTAX_NAMES,
  kosmosPatchBox,
  qwenSmartResize,
  SyntaxScanner,
} from '../../src/grounding/syntaxes';
import type { SyntaxMatch } from '../../src/grounding/syntaxes';
import type { GroundingWarning } from '../../src/grounding/types';
import { SYNTAX_EXAMPLES } from './syntaxes-fixtures';

function boxesOf(matches: SyntaxMatch[]): { box: number[]; label?: string }[] {
  return matches.flatMap((m) => (m.kind === 'box' ? [{ box: [m.box.x1, m.box.y1, m.box.x2, m.box.y2], ...(m.label ? { label: m.label } : {}) }] : []));
}
function spansOf(matches: SyntaxMatch[]): { span: number[]; label?: string }[] {
  return matches.flatMap((m) => (m.kind === 'span' ? [{ span: [m.span.start, m.span.end], ...(m.label ? { label: m.label } : {}) }] : []));
}

function expectClose(actual: { box?: number[]; span?: number[]; label?: string }[], expected: { box?: number[]; span?: number[]; label?: string }[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i]!;
    const av = a.box ?? a.span ?? [];
    const ev = e.box ?? e.span ?? [];
    ev.forEach((v, j) => expect(av[j]).toBeCloseTo(v, 6));
    if (e.label !== undefined) expect(a.label).toBe(e.label);
  });
}

describe('grounding syntaxes on recorded example answers', () => {
  it('has an example for every syntax', () => {
    expect(new Set(SYNTAX_EXAMPLES.map((e) => e.syntax))).toEqual(new Set(GROUNDING_SYNTAX_NAMES));
  });

  for (const example of SYNTAX_EXAMPLES) {
    describe(`${example.syntax}: ${example.text.slice(0, 48)}…`, () => {
      it('reads the boxes and spans with the syntax chosen', () => {
        const warnings: GroundingWarning[] = [];
        const found = findGrounding(example.text, example.syntax, { ...example.context, onWarning: (w) => warnings.push(w) });
        expectClose(boxesOf(found), example.boxes ?? []);
        expectClose(spansOf(found), example.spans ?? []);
        expect(warnings).toEqual([]);
        for (const m of found) {
          expect(example.text.slice(m.offset, m.end)).toBe(m.raw);
          expect(m.syntax).toBe(example.syntax);
        }
      });

      // Qwen3-VL writes Qwen2.5-VL's JSON in another frame: only the model's name can choose it, so auto never does
      if (example.syntax === 'qwen3-vl') {
        it('is never guessed from the text: auto does not detect Qwen3-VL', () => {
          expect(detectSyntaxes(example.text)).not.toContain('qwen3-vl');
        });
      } else it('detects it and reads the same with auto', () => {
        const found = findGrounding(example.text, 'auto', example.context ?? {});
        expectClose(boxesOf(found), example.boxes ?? []);
        expectClose(spansOf(found), example.spans ?? []);
        // shikra's compact boxes are read by LEGO's reader in auto mode: same numbers
        if (example.syntax !== 'shikra') expect(detectSyntaxes(example.text)).toContain(example.syntax);
      });

      it('streams: pieces of 3 characters give the same matches as the whole text', () => {
        const scanner = new SyntaxScanner('auto', example.context ?? {});
        const streamed: SyntaxMatch[] = [];
        for (let i = 0; i < example.text.length; i += 3) streamed.push(...scanner.push(example.text.slice(i, i + 3)));
        streamed.push(...scanner.flush());
        expect(streamed).toEqual(findGrounding(example.text, 'auto', example.context ?? {}));
      });
    });
  }
});

describe('frames: to original pixels', () => {
  const size = { width: 400, height: 200 };

  it('padded-square boxes go through LEGO’s transform', () => {
    // the square is 400, the image sits at y 100..300 of it
    expect(frameBoxToPixels({ x1: 0.25, y1: 0.25, x2: 0.75, y2: 0.75 }, 'padded-square', size)).toEqual({ x1: 100, y1: 0, x2: 300, y2: 200 });
  });

  it('plain-resize boxes scale each axis by its own side', () => {
    expect(frameBoxToPixels({ x1: 0.25, y1: 0.25, x2: 0.75, y2: 0.75 }, 'plain-resize', size)).toEqual({ x1: 100, y1: 50, x2: 300, y2: 150 });
  });

  it('plain-resize boxes convert into LEGO’s padded-square frame', () => {
    const lego = frameBoxToLego({ x1: 0.25, y1: 0.25, x2: 0.75, y2: 0.75 }, 'plain-resize', size);
    expect(lego.x1).toBeCloseTo(0.25);
    expect(lego.y1).toBeCloseTo((50 + 100) / 400);
    expect(lego.y2).toBeCloseTo((150 + 100) / 400);
  });

  it('Ferret boxes land on the original image by plain resize', () => {
    const [m] = findGrounding('a cat [250, 500, 750, 1000]', 'ferret', { onWarning: () => undefined });
    // 1000 is outside Ferret's 0–999 vocabulary
    expect(m).toBeUndefined();
    const [cat] = findGrounding('a cat [250, 500, 750, 999]', 'ferret');
    expect(cat?.kind === 'box' && frameBoxToPixels(cat.box, cat.frame, size)).toEqual({ x1: 100, y1: 100, x2: 300, y2: 199.8 });
  });
});

describe('details', () => {
  it('qwen smart_resize follows the processor (multiples of 28, bounded area)', () => {
    expect(qwenSmartResize({ width: 1000, height: 750 })).toEqual({ width: 1008, height: 756 });
    expect(qwenSmartResize({ width: 20, height: 20 })).toEqual({ width: 56, height: 56 });
    const big = qwenSmartResize({ width: 8000, height: 6000 });
    expect(big.width * big.height).toBeLessThanOrEqual(12_845_056);
    expect(big.width % 28).toBe(0);
  });

  it('qwen2.5-vl uses a configured resized size, and warns without any size', () => {
    const text = '{"bbox_2d": [10, 20, 30, 40], "label": "x"}';
    const [m] = findGrounding(text, 'qwen2.5-vl', { qwenResize: { resizedSize: { width: 100, height: 200 } } });
    expect(m?.kind === 'box' && m.box).toEqual({ x1: 0.1, y1: 0.1, x2: 0.3, y2: 0.2 });
    const warnings: GroundingWarning[] = [];
    expect(findGrounding(text, 'qwen2.5-vl', { onWarning: (w) => warnings.push(w) })).toEqual([]);
    expect(warnings[0]?.message).toMatch(/resized image size/);
  });

  it('kosmos-2 boxes in one row cover whole patches', () => {
    expect(kosmosPatchBox(0, 0)).toEqual([0, 0, 1 / 32, 1 / 32]);
    expect(kosmosPatchBox(32, 35)).toEqual([0, 1 / 32, 4 / 32, 2 / 32]);
  });

  it('timechat without a duration is skipped with a warning', () => {
    const warnings: GroundingWarning[] = [];
    expect(findGrounding('0.0 - 6.9 seconds, a man.', 'timechat', { onWarning: (w) => warnings.push(w) })).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it('malformed boxes are skipped with a warning, never thrown', () => {
    const warnings: GroundingWarning[] = [];
    const text = '<|box_start|>(900,100),(100,200)<|box_end|> <loc_5><loc_2000><loc_7><loc_8> {"bbox_2d": [1, 2], "label": 3}';
    expect(findGrounding(text, 'auto', { imageSize: { width: 100, height: 100 }, onWarning: (w) => warnings.push(w) })).toEqual([]);
    expect(warnings.length).toBeGreaterThanOrEqual(3);
  });

  it('auto with nothing recognisable finds nothing and guesses LEGO', () => {
    expect(detectSyntaxes('Just words, [see above].')).toEqual(['lego']);
    expect(findGrounding('Just words, [see above].', 'auto')).toEqual([]);
  });

  it('a VTimeLLM span at the end of a stream waits for the next piece', () => {
    const scanner = new SyntaxScanner('vtimellm');
    expect(scanner.push('from 08 to 3')).toEqual([]);
    expect(scanner.push('7')).toEqual([]);
    const [m] = scanner.flush();
    expect(m?.kind === 'span' && m.span).toEqual({ start: 0.08, end: 0.37 });
  });
});
