import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { IncrementalDecoder } from '../../src/engine/onnx/incremental-decoder';
import { LegoTokenizer } from '../../src/engine/onnx/lego-tokenizer';
import { TEST_BUNDLE } from '../helpers/reference-bundle';

const LEGO_TINY = path.resolve(__dirname, '../../models/lego-tiny/tokenizer.json');

function load(file: string): LegoTokenizer {
  return LegoTokenizer.fromJson(JSON.parse(readFileSync(file, 'utf8')));
}

/** A SentencePiece-like decoder: pieces joined, the leading space of the whole text stripped, and
 * byte pieces (<0xNN>) that only make a character together. */
class MetaspaceLike {
  constructor(private readonly pieces: readonly string[]) {}
  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    let out = '';
    const flush = (): void => {
      out += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    };
    for (const id of ids) {
      const p = this.pieces[id]!;
      const m = /^<0x([0-9A-F]{2})>$/.exec(p);
      if (m) bytes.push(parseInt(m[1]!, 16));
      else {
        flush();
        out += p.replace(/▁/g, ' ');
      }
    }
    flush();
    return out.replace(/^ /, '');
  }
}

describe('IncrementalDecoder: streamed text equals a full decode', () => {
  it.each([
    ['lego-tiny', LEGO_TINY],
    ['random test bundle', path.join(TEST_BUNDLE, 'tokenizer.json')],
  ])('%s tokenizer, any ids (specials, continuations, numbers)', (_name, file) => {
    const tok = load(file);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: tok.maxId }), { maxLength: 60 }), (ids) => {
        const d = new IncrementalDecoder(tok);
        ids.forEach((id, i) => {
          const soFar = d.push(id);
          expect(tok.decode(ids.slice(0, i + 1)).startsWith(soFar)).toBe(true);
        });
        expect(d.finish()).toBe(tok.decode(ids));
      }),
      { numRuns: 200 },
    );
  });

  it('a real answer streams exactly, piece by piece', () => {
    const tok = load(LEGO_TINY);
    const ids = tok.encode(' The cyan diamond is at [0.617, 0.487, 0.700, 0.622]. It is a xylophone-ish thing!');
    const d = new IncrementalDecoder(tok);
    const seen = ids.map((id) => d.push(id));
    expect(seen[seen.length - 1]).toBe(tok.decode(ids));
    expect(d.finish()).toBe(tok.decode(ids));
  });

  it('a decoder that strips the leading space and joins byte pieces: no lost spaces, no broken characters', () => {
    const pieces = ['▁The', '▁red', '▁star', '▁at', '▁[', '0', '.', '1', ']', '<0xC3>', '<0xA9>', '▁caf', '<0xE2>', '<0x82>', '<0xAC>'];
    const tok = new MetaspaceLike(pieces);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: pieces.length - 1 }), { maxLength: 40 }), (ids) => {
        const d = new IncrementalDecoder(tok);
        for (const id of ids) {
          const soFar = d.push(id);
          expect(soFar.includes('\uFFFD') && !tok.decode(ids).includes('\uFFFD')).toBe(false);
        }
        expect(d.finish()).toBe(tok.decode(ids));
      }),
      { numRuns: 300 },
    );
    const d = new IncrementalDecoder(tok);
    const streamed = [0, 1, 11, 9, 10, 2].map((id) => d.push(id));
    expect(streamed).toEqual(['The', 'The red', 'The red caf', 'The red caf', 'The red café', 'The red café star']);
  });
});
