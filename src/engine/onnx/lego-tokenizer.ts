import { Tokenizer } from '@huggingface/tokenizers';
import { LegoError } from '../../errors';

interface AddedTokenJson {
  id: number;
  content: string;
  special?: boolean;
}

/**
 * The bundle's tokenizer.json, read by @huggingface/tokenizers (pure JS; the same pipeline as the
 * Python `tokenizers`). Adds what LEGO needs on top: special-token lookup and user-text sanitising.
 */
export class LegoTokenizer {
  /** added tokens marked special, in tokenizer.json order (the order the recipe defuses them in) */
  readonly specialTokens: readonly string[];
  /** the largest token id in the vocabulary */
  readonly maxId: number;

  private constructor(
    private readonly tokenizer: Tokenizer,
    specials: string[],
    maxId: number,
  ) {
    this.specialTokens = specials;
    this.maxId = maxId;
  }

  /** Reads a parsed tokenizer.json; throws LegoError('bundle-invalid') naming `file` when it cannot. */
  static fromJson(json: unknown, file = 'tokenizer.json'): LegoTokenizer {
    if (typeof json !== 'object' || json === null) {
      throw new LegoError('bundle-invalid', `${file} is not a JSON object`, { details: { file } });
    }
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json, {});
    } catch (cause) {
      throw new LegoError('bundle-invalid', `${file} could not be read: ${(cause as Error).message}`, { cause, details: { file } });
    }
    const added = (json as { added_tokens?: AddedTokenJson[] }).added_tokens ?? [];
    // the order of added_tokens is the order the Python recipe defuses them in
    const specials = added.filter((t) => t.special !== false).map((t) => t.content);
    let maxId = -1;
    for (const id of tokenizer.get_vocab(true).values()) maxId = Math.max(maxId, id);
    return new LegoTokenizer(tokenizer, specials, maxId);
  }

  /** Token ids of `text`; special tokens in it become their ids, nothing is added around it. */
  encode(text: string): number[] {
    if (text === '') return [];
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** Text of `ids`, special tokens left out, no clean-up of spaces (the model's text as written). */
  decode(ids: readonly number[]): string {
    if (ids.length === 0) return '';
    return this.tokenizer.decode([...ids], { skip_special_tokens: true, clean_up_tokenization_spaces: false });
  }

  /** The id of a token that is one entry of the vocabulary, or undefined. */
  tokenId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  /**
   * User text may not forge turns or media: every special token string in it is defused
   * (`<` → `(`, `>` → `)`, `###` → `#`), as the Python recipe's `sanitize`.
   */
  sanitize(text: string): string {
    let out = text;
    for (const t of this.specialTokens) {
      if (!out.includes(t)) continue;
      out = out.split(t).join(t.replace(/</g, '(').replace(/>/g, ')').replace(/###/g, '#'));
    }
    return out;
  }
}
