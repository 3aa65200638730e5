import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LegoError } from '../../src/errors';
import { parseBundleManifest } from '../../src/engine/onnx/bundle-manifest';
import type { BundleManifest } from '../../src/engine/onnx/bundle-manifest';
import { LegoPrompt } from '../../src/engine/onnx/lego-prompt';
import { LegoTokenizer } from '../../src/engine/onnx/lego-tokenizer';
import type { Turn } from '../../src/engine/types';
import { TEST_BUNDLE } from '../helpers/reference-bundle';

const manifestJson = JSON.parse(readFileSync(path.join(TEST_BUNDLE, 'manifest.json'), 'utf8')) as Record<string, unknown>;
const tokenizer = LegoTokenizer.fromJson(JSON.parse(readFileSync(path.join(TEST_BUNDLE, 'tokenizer.json'), 'utf8')));

function promptWith(edit: (m: BundleManifest) => void = () => undefined): { prompt: LegoPrompt; manifest: BundleManifest } {
  const manifest = parseBundleManifest(structuredClone(manifestJson));
  edit(manifest);
  return { prompt: new LegoPrompt(manifest, tokenizer), manifest };
}

const SYSTEM =
  "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions.";

describe('LEGO prompt', () => {
  const { prompt } = promptWith();

  it('follows the template with the media before the first question', () => {
    const turns: Turn[] = [
      { role: 'user', text: 'Where is the red star?' },
      { role: 'assistant', text: ' The red star is at [0.112, 0.430, 0.251, 0.618].' },
      { role: 'user', text: 'What colour is it?' },
    ];
    const patches = '<im_patch>'.repeat(16);
    expect(prompt.text(turns, 'image')).toBe(
      `${SYSTEM}###Human: <im_start>${patches}<im_end>\nWhere is the red star?###Assistant: The red star is at [0.112, 0.430, 0.251, 0.618].###Human: What colour is it?###Assistant:`,
    );
    expect(prompt.text([{ role: 'user', text: 'Hi' }], undefined)).toBe(`${SYSTEM}###Human: Hi###Assistant:`);
    expect(prompt.placeholder('video')).toBe(`<vi_start>${'<vi_patch>'.repeat(6)}<vi_end>\n`);
  });

  it('builds the fusion query from the user turns, latest first, joined by ###, cut to max_tokens', () => {
    const turns: Turn[] = [
      { role: 'user', text: 'Where is the red star?' },
      { role: 'assistant', text: 'It is at [0.1, 0.2, 0.3, 0.4].' },
      { role: 'user', text: 'What colour is it?' },
    ];
    const sep = tokenizer.tokenId('###')!;
    const expected = [...tokenizer.encode('What colour is it?'), sep, ...tokenizer.encode('Where is the red star?')];
    expect(prompt.query(turns)).toEqual(expected.slice(0, 24));
    const long: Turn[] = [{ role: 'user', text: 'red '.repeat(100) }];
    expect(prompt.query(long)).toHaveLength(24);
    expect(promptWith((m) => (m.fusion = null)).prompt.query(turns)).toBeUndefined();
  });

  it('fits the context by dropping whole exchanges from the front', () => {
    const { prompt: p, manifest } = promptWith((m) => (m.decoder.max_positions = 200));
    const turns: Turn[] = [];
    for (let i = 0; i < 10; i += 1) {
      turns.push({ role: 'user', text: `Where is shape number ${i}?` }, { role: 'assistant', text: `Shape ${i} is at [0.100, 0.200, 0.300, 0.400].` });
    }
    turns.push({ role: 'user', text: 'And the last one?' });
    const built = p.build(turns, 'image', 30);
    expect(built.droppedTurns).toBeGreaterThan(0);
    expect(built.droppedTurns % 2).toBe(0);
    expect(built.turns).toEqual(turns.slice(built.droppedTurns));
    expect(built.ids.length + 30).toBeLessThanOrEqual(manifest.decoder.max_positions + 1);
    expect(built.room).toBe(manifest.decoder.max_positions - built.ids.length + 1);
    // one exchange more would not have fitted
    const oneMore = p.text(turns.slice(built.droppedTurns - 2), 'image');
    expect(tokenizer.encode(oneMore).length + 30).toBeGreaterThan(manifest.decoder.max_positions + 1);
    expect(built.text.match(/<im_start>/g)).toHaveLength(1);
    expect(built.text).toContain(`###Human: <im_start>`);
  });

  it('keeps room for a quarter of the context when max tokens is larger', () => {
    const { prompt: p } = promptWith((m) => (m.decoder.max_positions = 200));
    const turns: Turn[] = [{ role: 'user', text: 'Hi' }, { role: 'assistant', text: 'Hello.' }, { role: 'user', text: 'Where?' }];
    const built = p.build(turns, undefined, 10_000);
    expect(built.droppedTurns).toBe(0);
    expect(built.room).toBeGreaterThanOrEqual(50);
  });

  it('drops a leading assistant turn and never the question', () => {
    const { prompt: p } = promptWith((m) => (m.decoder.max_positions = 90));
    const turns: Turn[] = [
      { role: 'assistant', text: 'Hello! Send me a picture. '.repeat(3) },
      { role: 'user', text: 'Where is the star?' },
    ];
    const built = p.build(turns, undefined, 20);
    expect(built.droppedTurns).toBe(1);
    expect(built.turns).toEqual([turns[1]]);
  });

  it('cuts the beginning of a question that alone is longer than the context', () => {
    const { prompt: p, manifest } = promptWith((m) => (m.decoder.max_positions = 120));
    const text = 'blah '.repeat(300) + 'where is the red star?';
    const built = p.build([{ role: 'user', text }], 'image', 10);
    expect(built.truncatedChars).toBeGreaterThan(0);
    expect(built.ids.length + 10).toBeLessThanOrEqual(manifest.decoder.max_positions + 1);
    expect(built.text.endsWith('where is the red star?###Assistant:')).toBe(true);
  });

  it('says context-overflow when not even the system prompt and media fit', () => {
    const { prompt: p } = promptWith((m) => (m.decoder.max_positions = 20));
    expect(() => p.build([{ role: 'user', text: 'hi' }], 'image', 5)).toThrow(LegoError);
    try {
      p.build([{ role: 'user', text: 'hi' }], 'image', 5);
    } catch (e) {
      expect((e as LegoError).code).toBe('context-overflow');
    }
  });

  // issue 19, fault 1: every dropped turn re-tokenised the whole conversation (200 turns of 1 KB took
  // 3.9 s; a 52 MB request held `lego serve` for 53 s): count the characters handed to the tokenizer
  describe('tokenises a long conversation about once', () => {
    function counting(): { prompt: LegoPrompt; encoded: () => number } {
      const { prompt: p } = promptWith((m) => (m.decoder.max_positions = 200));
      let chars = 0;
      const spy = jest.spyOn(tokenizer, 'encode');
      const original = spy.getMockImplementation() ?? LegoTokenizer.prototype.encode;
      spy.mockImplementation(function (this: LegoTokenizer, text: string) {
        chars += text.length;
        return original.call(this, text);
      });
      return { prompt: p, encoded: () => chars };
    }
    afterEach(() => jest.restoreAllMocks());

    it('drops 400 old turns with the same result as dropping them one by one', () => {
      const turns: Turn[] = [];
      for (let i = 0; i < 200; i += 1) {
        turns.push({ role: 'user', text: `Where is shape number ${i}? `.repeat(20) }, { role: 'assistant', text: `Shape ${i} is at [0.100, 0.200, 0.300, 0.400].` });
      }
      turns.push({ role: 'user', text: 'And the last one?' });
      const total = turns.reduce((n, t) => n + t.text.length, 0);
      const { prompt: p, encoded } = counting();
      const built = p.build(turns, 'image', 30);
      expect(encoded()).toBeLessThan(3 * total);
      jest.restoreAllMocks();
      // the fewest drops that fit: this fits, one exchange more would not
      expect(built.droppedTurns % 2).toBe(0);
      expect(built.turns).toEqual(turns.slice(built.droppedTurns));
      expect(built.ids.length + 30).toBeLessThanOrEqual(201);
      expect(tokenizer.encode(p.text(turns.slice(built.droppedTurns - 2), 'image')).length + 30).toBeGreaterThan(201);
    });

    it('cuts a 1 MB question with a few encodes of it', () => {
      const question = 'blah '.repeat(200_000) + 'where is the red star?';
      const { prompt: p, encoded } = counting();
      const built = p.build([{ role: 'user', text: question }], 'image', 10);
      expect(built.text.endsWith('where is the red star?###Assistant:')).toBe(true);
      expect(built.ids.length + 10).toBeLessThanOrEqual(201);
      expect(encoded()).toBeLessThan(4 * question.length);
    });
  });
});
