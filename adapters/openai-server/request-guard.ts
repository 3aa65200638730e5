import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { plainError } from './error-response';
import type { HttpError } from './error-response';

export interface RequestGuardPolicy {
  /** the address the server listens on (its own name is always accepted) */
  listenHost: string;
  /** further Host names accepted; '*' accepts any */
  allowedHosts: readonly string[];
  /** browser Origins allowed besides the server's own */
  allowedOrigins: readonly string[];
}

const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['localhost', 'localhost.', '127.0.0.1', '::1']);

/** The host name of a Host header without its port and brackets, lower case. */
export function hostName(header: string): string {
  const trimmed = header.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(1, trimmed.indexOf(']') < 0 ? undefined : trimmed.indexOf(']'));
  const colon = trimmed.lastIndexOf(':');
  return colon < 0 ? trimmed : trimmed.slice(0, colon);
}

/**
 * Whether a Host header may reach the API. DNS rebinding points an attacker's name at 127.0.0.1, so
 * a browser's request arrives carrying that name: only loopback names, IP literals (a page can only
 * send those from its own origin), the listening address and configured names pass.
 */
export function hostAllowed(header: string | undefined, policy: RequestGuardPolicy): boolean {
  if (header === undefined) return true; // HTTP/1.0 without Host: no browser sends that
  if (policy.allowedHosts.includes('*')) return true;
  const name = hostName(header);
  if (LOOPBACK_NAMES.has(name) || name.endsWith('.localhost') || isIP(name) !== 0) return true;
  if (name === policy.listenHost.toLowerCase()) return true;
  return policy.allowedHosts.some((allowed) => hostName(allowed) === name);
}

/** Whether a request's Origin (sent by browsers) may call the API: none, its own, or a configured one. */
export function originAllowed(origin: string | undefined, host: string | undefined, policy: RequestGuardPolicy): boolean {
  if (origin === undefined) return true; // not a browser's cross-origin call (curl, SDKs, other servers)
  const normalised = origin.trim().toLowerCase().replace(/\/$/, '');
  if (host !== undefined && (normalised === `http://${host.toLowerCase()}` || normalised === `https://${host.toLowerCase()}`)) return true;
  return policy.allowedOrigins.some((allowed) => allowed === '*' || allowed.trim().toLowerCase().replace(/\/$/, '') === normalised);
}

/** Whether a Content-Type names JSON (`application/json`, any parameters). */
export function isJsonContentType(header: string | undefined): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}

/**
 * The checks that run before a request is routed: Host (403), Origin (403), and for POST a JSON
 * Content-Type (415: a browser form or `text/plain` fetch can be sent cross-site without a preflight,
 * JSON cannot). Undefined when the request may go on.
 */
export function guardRequest(request: IncomingMessage, policy: RequestGuardPolicy): HttpError | undefined {
  const host = request.headers.host;
  if (!hostAllowed(host, policy)) {
    return plainError(403, `Host "${host ?? ''}" is not served here; add it to serve.allowedHosts (LEGO_SERVE_ALLOWED_HOSTS) to allow it`, 'forbidden-host');
  }
  const origin = request.headers.origin;
  if (!originAllowed(origin, host, policy)) {
    return plainError(403, `Origin "${origin ?? ''}" may not call this API; add it to serve.allowedOrigins (LEGO_SERVE_ALLOWED_ORIGINS) to allow it`, 'forbidden-origin');
  }
  if (request.method === 'POST' && !isJsonContentType(request.headers['content-type'])) {
    return plainError(415, `Content-Type must be application/json, not "${request.headers['content-type'] ?? '(none)'}"`, 'unsupported-content-type');
  }
  return undefined;
}
