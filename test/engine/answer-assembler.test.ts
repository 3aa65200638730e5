import { AnswerAssembler } from '../../src/engine/answer-assembler';
import type { Part, PreparedMedia } from '../../src/engine/types';
import type { GroundingWarning } from '../../src/grounding/types';

const image: PreparedMedia = { kind: 'image', size: { width: 200, height: 100 }, pixelValues: new Float32Array(0) };
const video: PreparedMedia = { kind: 'video', size: { width: 64, height: 64 }, durationSec: 10, pixelValues: new Float32Array(0), frameTimes: [] };

/** Feeds `pieces` as successive tokens: the decoded text grows by one piece at a time. */
function run(pieces: string[], media: PreparedMedia | undefined, stops = ['###']): { steps: Part[][]; end: Part[]; assembler: AnswerAssembler; stoppedAt: number } {
  const assembler = new AnswerAssembler({ stops, media });
  let decoded = '';
  const steps: Part[][] = [];
  let stoppedAt = -1;
  for (const [i, p] of pieces.entries()) {
    decoded += p;
    const { parts, stopped } = assembler.update(decoded);
    steps.push(parts);
    if (stopped) {
      stoppedAt = i;
      break;
    }
  }
  return { steps, end: assembler.finish(decoded), assembler, stoppedAt };
}

const textOf = (parts: Part[]): string => parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('');

describe('AnswerAssembler', () => {
  it('emits each box right after the delta that closes it, mapped to pixels, with its label', () => {
    const pieces = [' The', ' red', ' star', ' is', ' at', ' [', '0.100', ',', ' 0.250', ',', ' 0.500', ',', ' 0.750', ']', '.'];
    const { steps, end, assembler } = run(pieces, image);
    const closing = steps[13]!;
    expect(closing[0]).toEqual({ type: 'text-delta', text: ']', pendingFrom: 47 });
    expect(closing[1]).toEqual({
      type: 'box',
      index: 1,
      box: { x1: 0.1, y1: 0.25, x2: 0.5, y2: 0.75 },
      pixels: { x1: 20, y1: 0, x2: 100, y2: 100 },
      label: 'red star',
      raw: '[0.100, 0.250, 0.500, 0.750]',
      start: 19,
      end: 47,
    });
    // while the box was open, the text from its bracket on was pending
    expect(steps[12]![0]).toMatchObject({ type: 'text-delta', pendingFrom: 19 });
    for (const s of steps.slice(0, 13)) expect(s.some((p) => p.type === 'box')).toBe(false);
    expect(assembler.text).toBe('The red star is at [0.100, 0.250, 0.500, 0.750].');
    expect(textOf([...steps.flat(), ...end])).toBe(assembler.text);
  });

  it('numbers boxes and spans separately and maps spans to seconds', () => {
    const { steps, end } = run([' A red star moves left during {0.10, 0.50}', ' and a blue circle during {0.5,0.9}.'], video);
    const parts = [...steps.flat(), ...end].filter((p) => p.type === 'span');
    expect(parts).toEqual([
      { type: 'span', index: 1, span: { start: 0.1, end: 0.5 }, seconds: { start: 1, end: 5 }, label: 'red star', raw: '{0.10, 0.50}', start: 29, end: 41 },
      { type: 'span', index: 2, span: { start: 0.5, end: 0.9 }, seconds: { start: 5, end: 9 }, label: 'blue circle', raw: '{0.5,0.9}', start: 67, end: 76 },
    ]);
  });

  it('leaves out pixels when there is no image', () => {
    const { steps } = run([' [0.1, 0.2, 0.3, 0.4]'], undefined);
    expect(steps[0]![1]).toEqual({ type: 'box', index: 1, box: { x1: 0.1, y1: 0.2, x2: 0.3, y2: 0.4 }, raw: '[0.1, 0.2, 0.3, 0.4]', start: 0, end: 20 });
  });

  it('cuts at a stop string written out in characters, holding back its beginning', () => {
    const { steps, end, assembler, stoppedAt } = run([' Yes', '.', '#', '#', '#', ' Human'], undefined);
    expect(stoppedAt).toBe(4);
    expect(steps[2]).toEqual([]);
    expect(steps[3]).toEqual([]);
    expect(assembler.text).toBe('Yes.');
    expect(end).toEqual([]);
  });

  it('gives back a held-back prefix that did not become a stop string', () => {
    const { steps, assembler } = run([' a', '#', 'b'], undefined);
    expect(steps[1]).toEqual([]);
    expect(steps[2]).toEqual([{ type: 'text-delta', text: '#b', pendingFrom: 3 }]);
    expect(assembler.text).toBe('a#b');
  });

  it('holds back trailing whitespace and half-decoded characters', () => {
    // a byte-level decoder shows U+FFFD until the next token completes the character
    const assembler = new AnswerAssembler({ stops: [], media: undefined });
    const decodedSoFar = [' ok', ' ok ', ' ok \uFFFD', ' ok é', ' ok é  '];
    const steps = decodedSoFar.map((d) => assembler.update(d).parts);
    expect(steps[0]).toEqual([{ type: 'text-delta', text: 'ok', pendingFrom: 2 }]);
    expect(steps[1]).toEqual([]);
    expect(steps[2]).toEqual([]);
    expect(steps[3]).toEqual([{ type: 'text-delta', text: ' é', pendingFrom: 4 }]);
    expect(steps[4]).toEqual([]);
    expect(assembler.finish(' ok é  ')).toEqual([]);
    expect(assembler.text).toBe('ok é');
  });

  it('warns about malformed boxes and keeps going', () => {
    const warnings: GroundingWarning[] = [];
    const assembler = new AnswerAssembler({ stops: [], media: image, onWarning: (w) => warnings.push(w) });
    const { parts } = assembler.update(' at [0.1, zz, 0.3, 0.4] and [0.1, 0.2, 0.3, 0.4]');
    expect(parts.filter((p) => p.type === 'box')).toHaveLength(1);
    expect(warnings).toHaveLength(1);
  });

  it('reports an unterminated box at the end as a warning, not a part', () => {
    const warnings: GroundingWarning[] = [];
    const assembler = new AnswerAssembler({ stops: [], media: image, onWarning: (w) => warnings.push(w) });
    assembler.update(' at [0.1, 0.2, 0.3');
    expect(assembler.finish(' at [0.1, 0.2, 0.3').filter((p) => p.type === 'box')).toEqual([]);
    expect(warnings.map((w) => w.message)).toEqual(['unterminated box']);
  });
});
