import { parseConversationOptions } from '../../src/conversation/options';
import type { ConversationOptions, ConversationOptionsInput } from '../../src/conversation/options';

/** Defaulted options for tests, with overrides. */
export function testOptions(overrides: ConversationOptionsInput = {}): ConversationOptions {
  return parseConversationOptions(overrides);
}

export const HASH_A = 'a'.repeat(64);
export const HASH_B = 'b'.repeat(64);
export const HASH_V = 'c'.repeat(64);
