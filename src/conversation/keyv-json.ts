import type { DeserializedData, Deserialize } from 'keyv';

/**
 * Keyv (de)serialisers: plain JSON, faster than keyv's default for large records. What does not parse
 * back into keyv's `{value, expires}` envelope is not dropped silently (keyv would read it as "no
 * record"): it comes back as a `CorruptValue`, which the store then reports as 'store-corrupt'.
 */
export interface CorruptValue {
  readonly corrupt: true;
  readonly reason: string;
}

export function isCorruptValue(value: unknown): value is CorruptValue {
  return typeof value === 'object' && value !== null && (value as { corrupt?: unknown }).corrupt === true &&
    typeof (value as { reason?: unknown }).reason === 'string' && Object.keys(value).length === 2;
}

export function serializeJson<Value>(data: DeserializedData<Value>): string {
  return JSON.stringify(data);
}

/** JSON.parse into keyv's envelope; what does not parse comes back as a CorruptValue instead. */
export const deserializeJson: Deserialize = <Value>(text: string): DeserializedData<Value> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = `not JSON (${error instanceof Error ? error.message : String(error)})`;
    return corrupt<Value>(reason);
  }
  if (typeof parsed !== 'object' || parsed === null || !('value' in parsed)) return corrupt<Value>('not a keyv envelope');
  const envelope = parsed as { value: Value; expires?: unknown };
  const expires = typeof envelope.expires === 'number' ? envelope.expires : undefined;
  return { value: envelope.value, expires };
};

// Keyv's Deserialize type promises the caller's Value; readers check isCorruptValue before trusting it.
function corrupt<Value>(reason: string): DeserializedData<Value> {
  const value: CorruptValue = { corrupt: true, reason };
  return { value: value as unknown as Value };
}
