import { ConversationSession } from '../../src/conversation/conversation-session';
import { parseConversationOptions } from '../../src/conversation/options';
import { createConversationRecord } from '../../src/conversation/record';
import type { GroundedBox, GroundedSpan } from '../../src/engine/types';
import type { ConversationOptions, ConversationOptionsInput } from '../../src/conversation/options';

/** Defaulted options for tests, with overrides. */
export function testOptions(overrides: ConversationOptionsInput = {}): ConversationOptions {
  return parseConversationOptions(overrides);
}

export const HASH_A = 'a'.repeat(64);
export const HASH_B = 'b'.repeat(64);
export const HASH_V = 'c'.repeat(64);

/** A new conversation 'chan:1' with default options and a clock that ticks 1 ms per call. */
export function newSession(options: ConversationOptions = testOptions()): ConversationSession {
  let t = 1_000;
  return new ConversationSession(createConversationRecord('chan:1', 1_000), options, { now: () => (t += 1) });
}

/** A box as an engine reports it (model frame), with its index in the answer. */
export function box(index: number, x1: number, y1: number, x2: number, y2: number, label?: string): Omit<GroundedBox, 'start' | 'end'> {
  return { index, box: { x1, y1, x2, y2 }, raw: `[${x1}, ${y1}, ${x2}, ${y2}]`, ...(label ? { label } : {}) };
}

/** A span as an engine reports it (fractions of the duration), with its index in the answer. */
export function span(index: number, start: number, end: number, label?: string): Omit<GroundedSpan, 'start' | 'end'> {
  return { index, span: { start, end }, raw: `{${start}, ${end}}`, ...(label ? { label } : {}) };
}
