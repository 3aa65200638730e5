/**
 * The scrubber behind every log line and every error printed outside the logger: keys that name a
 * secret are redacted, token-shaped text is masked. Kept apart from the logger so that the CLI can
 * scrub what it prints without loading pino.
 */
export const REDACTED = '[redacted]';

const SECRET_KEY = /token|secret|passw(or)?d|authori[sz]ation|cookie|api[-_]?key|credential|private[-_]?key|signature/i;

/**
 * Token shapes masked inside any string (messages, error messages and stacks, values). Each pattern's
 * first group, when it has one, is kept (the scheme, the header word, the parameter name).
 */
const SECRET_TEXT: readonly RegExp[] = [
  // Authorization header values: `Bearer …`, `Bot …` (Discord), `Basic …`, also after `Authorization:`
  // (a credential has a digit or is long: "the Bot answered" stays as it is)
  /\b(Bearer|Basic|Bot)\s+(?:(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{8,}|[A-Za-z0-9._~+/=-]{20,})/g,
  // Slack: bot/user/app-level/refresh/config tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxo-, xoxe.xoxp-, xoxe-, xapp-)
  /\bxox[abeoprs](?:\.xox[abeoprs])?-[A-Za-z0-9-]{6,}/g,
  /\bxapp-[A-Za-z0-9-]{6,}/g,
  // Slack incoming webhooks: the path is the secret
  /(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9/_-]+/g,
  // Discord bot tokens: base64 user id . 6+ char timestamp . 27+ char HMAC (old 24-char ids starting
  // M/N/O and the newer 26+ char ids alike); JWTs have the same three-part shape and are masked too
  /\b[A-Za-z\d_-]{18,}\.[A-Za-z\d_-]{6,}\.[A-Za-z\d_-]{27,}/g,
  // Discord's old MFA tokens
  /\bmfa\.[A-Za-z\d_-]{20,}/g,
  // OpenAI-style API keys (sk-…, sk-proj-…)
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  // secrets in query strings and form bodies
  /([?&;](?:token|access_token|refresh_token|id_token|key|api_key|apikey|signature|sig|password|passwd|secret|client_secret|auth)=)[^&\s"'#]+/gi,
  // credentials in any URL: scheme://user:password@host
  /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s/]+@/gi,
];

/** Mask token-shaped text inside a string. */
export function scrubText(text: string): string {
  let out = text;
  for (const pattern of SECRET_TEXT) {
    out = out.replace(pattern, (match: string, prefix?: unknown) => {
      if (typeof prefix === 'string' && /^(Bearer|Basic|Bot)$/.test(prefix)) return `${prefix} ${REDACTED}`;
      if (typeof prefix === 'string' && match.startsWith(prefix)) return `${prefix}${REDACTED}${match.endsWith('@') ? '@' : ''}`;
      return REDACTED;
    });
  }
  return out;
}

/**
 * One line for stderr about an error that happens outside a logger (start-up failures, uncaught
 * errors, the CLI's last word): its message (and stack when asked), scrubbed like every log line.
 */
export function scrubbedErrorText(error: unknown, withStack = false): string {
  if (error instanceof Error) {
    const stack = withStack && error.stack !== undefined ? error.stack : `${error.name}: ${error.message}`;
    const cause = error.cause === undefined ? '' : `\n  caused by: ${scrubbedErrorText(error.cause, false)}`;
    return scrubText(`${stack}${cause}`);
  }
  return scrubText(String(error));
}

/** A copy of `value` with secret-named keys redacted and token-shaped strings masked (errors become plain objects). */
export function scrubValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (seen.has(value) || depth > 8) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  if (value instanceof Error) {
    out.type = value.name;
    out.message = scrubText(value.message);
    if (value.stack !== undefined) out.stack = scrubText(value.stack);
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    if (value.cause !== undefined) out.cause = scrubValue(value.cause, depth + 1, seen);
  }
  for (const [key, item] of Object.entries(value)) {
    if (value instanceof Error && key in out) continue;
    out[key] = SECRET_KEY.test(key) && item !== undefined && item !== null && item !== '' ? REDACTED : scrubValue(item, depth + 1, seen);
  }
  return out;
}

