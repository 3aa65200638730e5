import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { LegoTokenizer } from '../../src/engine/onnx/lego-tokenizer';
import { TEST_BUNDLE } from '../helpers/reference-bundle';

const RECIPE = path.resolve(__dirname, '../../models/lego-tiny/recipe');
const TOKENIZER_JSON = path.join(TEST_BUNDLE, 'tokenizer.json');

/** The recipe's own Python tokenizer (models/lego-tiny/recipe/tokenizer.py) on the same texts. */
function pythonTokenize(texts: string[]): { ids: number[][]; decoded: string[]; sanitized: string[] } {
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(RECIPE)})`,
    'from tokenizer import Tokenizer, sanitize',
    `tok = Tokenizer.load(${JSON.stringify(TOKENIZER_JSON)})`,
    'texts = json.loads(sys.stdin.read())',
    'ids = [tok.encode(t) for t in texts]',
    'print(json.dumps({"ids": ids, "decoded": [tok.decode(i) for i in ids], "sanitized": [sanitize(t) for t in texts]}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error !== undefined || r.status !== 0) {
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new Error('python3 is missing: the parity check needs it (apt-get install -y python3, or bash scripts/system-packages.sh)');
    }
    throw new Error(`python tokenizer failed: ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as { ids: number[][]; decoded: string[]; sanitized: string[] };
}

describe('@huggingface/tokenizers reproduces the recipe tokenizer (tokenizer.py)', () => {
  const tok = LegoTokenizer.fromJson(JSON.parse(readFileSync(TOKENIZER_JSON, 'utf8')));

  const fixed = [
    "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions.###Human: <im_start><im_patch><im_patch><im_end>\nWhere is the red star?###Assistant:",
    ' The red star is at [0.112, 0.430, 0.251, 0.618].',
    'The green one is visible during {0.09,0.15} and {0.16, 0.36}.',
    'What is in [0.1,0.2,0.3,0.4]?',
    'hello   world\n\ttabs',
    'café ünïcode ✓ 日本 😀',
    'x'.repeat(150),
    'supercalifragilistic wordz',
    '12345.678 3.14159 0.5 1.0001',
    'a##b ### # ####',
    '',
    '  leading',
    'trailing  ',
    'He said: "don\'t" (ok)!',
    '<im_patch> raw <vi_start> <pad><unk>',
    '123abc abc123 a1.5b',
    '\r\n crlf',
  ];
  const alphabet = fc.oneof(
    fc.constantFrom(...' abcdefghijklmnopqrstuvwxyzABCXYZ0123456789.,;:!?#[]{}()<>-_/\\\'"\n\t'.split('')),
    fc.constantFrom('é', '日', '😀', '\r', '<im_patch>', '<im_start>', '###', '<pad>', ' 0.123', ' 0.45', 'Where', ' red', 'star'),
  );
  const random = fc.sample(fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')), { numRuns: 1500, seed: 11 });
  const texts = [...fixed, ...random];

  it('encodes, decodes and sanitises exactly as Python on fixed and 1,500 random texts', () => {
    const python = pythonTokenize(texts);
    const mismatches: string[] = [];
    texts.forEach((t, i) => {
      const ids = tok.encode(t);
      if (JSON.stringify(ids) !== JSON.stringify(python.ids[i])) mismatches.push(`encode ${JSON.stringify(t)}`);
      if (tok.decode(ids) !== python.decoded[i]) mismatches.push(`decode ${JSON.stringify(t)}`);
      if (tok.sanitize(t) !== python.sanitized[i]) mismatches.push(`sanitize ${JSON.stringify(t)}`);
    });
    expect(mismatches).toEqual([]);
  });

  it('decodes token by token into the same text as all at once (streaming)', () => {
    const ids = tok.encode(' The red star is at [0.112, 0.430, 0.251, 0.618]. It is ok!');
    let text = '';
    for (let i = 1; i <= ids.length; i += 1) {
      const now = tok.decode(ids.slice(0, i));
      expect(now.startsWith(text)).toBe(true);
      text = now;
    }
    expect(text).toBe(' The red star is at [0.112, 0.430, 0.251, 0.618]. It is ok!');
  });

  it('keeps coordinates as single tokens', () => {
    expect(tok.encode(' 0.430')).toHaveLength(1);
    expect(tok.encode('0.112')).toHaveLength(1);
    expect(tok.decode([])).toBe('');
  });
});
