import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { LegoError } from '../../src/errors';
import { isPrivateAddress, privateAddressList } from './address-policy';

export interface MediaFetchPolicy {
  /** whether http(s) URLs are fetched at all (data: URLs always work) */
  allowUrlFetch: boolean;
  /** whether hosts that resolve to private/loopback/link-local addresses may be fetched */
  allowPrivateAddresses: boolean;
  /** time limit of one download (ms) */
  fetchTimeoutMs: number;
  /** largest download (bytes) */
  maxBytes: number;
  /** redirects followed (each checked like the first URL) */
  maxRedirects: number;
}

export interface FetchedMedia {
  bytes: Uint8Array;
  /** the declared type (data: URL or Content-Type); the bytes are sniffed anyway */
  mime: string | undefined;
}

function refused(message: string): LegoError {
  return new LegoError('download-refused', message, { userMessage: 'Sorry, I cannot fetch media from that address.' });
}

/** Whitespace a data: URL's base64 may carry (line breaks of MIME encoders, spaces). */
const BASE64_SPACE = /[\t\n\f\r ]/g;
const BASE64_BODY = /^[A-Za-z0-9+/]*$/;

/**
 * The payload of a base64 data: URL without its whitespace, or a sentence saying why it is not base64.
 * A linear check (no backtracking regex: a 64 MB body of spaces must not stall the server): the
 * alphabet of RFC 4648 §4, at most two `=` and only at the end, a length that is a multiple of 4
 * once padded (Node's decoder would otherwise drop the odd bytes without a word).
 */
function base64Payload(payload: string): { text: string } | { problem: string } {
  const text = payload.replace(BASE64_SPACE, '');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const body = text.slice(0, text.length - padding);
  if (!BASE64_BODY.test(body)) {
    const bad = body.search(/[^A-Za-z0-9+/]/);
    const char = body[bad] ?? '';
    return { problem: char === '=' ? 'has "=" padding before its end' : `has ${JSON.stringify(char)} at character ${bad + 1}, outside the base64 alphabet` };
  }
  if (body.length % 4 === 1 || (padding > 0 && text.length % 4 !== 0)) return { problem: `is cut off (${text.length} base64 characters)` };
  return { text };
}

/** Decodes a `data:[mime][;base64],…` URL; throws bad-input (with the reason) / too-large. */
export function decodeDataUrl(url: string, maxBytes: number): FetchedMedia {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) throw new LegoError('bad-input', 'malformed data: URL (expected data:[type][;base64],…)');
  const meta = url.slice(5, comma);
  const payload = url.slice(comma + 1);
  const base64 = /;base64$/i.test(meta);
  const mime = meta.replace(/;base64$/i, '').split(';')[0] || undefined;
  // base64 length bounds the decoded size: refuse before decoding
  if ((base64 ? Math.floor((payload.length * 3) / 4) - 2 : payload.length) > maxBytes) {
    throw new LegoError('too-large', `data: URL over ${maxBytes} bytes`);
  }
  let bytes: Buffer;
  if (base64) {
    const checked = base64Payload(payload);
    if ('problem' in checked) throw new LegoError('bad-input', `the data: URL is not valid base64: it ${checked.problem}`);
    bytes = Buffer.from(checked.text, 'base64');
  } else {
    try {
      bytes = Buffer.from(decodeURIComponent(payload), 'latin1');
    } catch {
      throw new LegoError('bad-input', 'the data: URL has a malformed %-escape (use ;base64 for binary media)');
    }
  }
  if (bytes.length === 0) throw new LegoError('bad-input', 'empty data: URL');
  if (bytes.length > maxBytes) throw new LegoError('too-large', `data: URL over ${maxBytes} bytes`);
  return { bytes, mime };
}

/**
 * Fetches an http(s) URL under the policy. The host is resolved by a custom DNS lookup that refuses
 * private addresses, so the address checked is the address connected to (no DNS-rebinding window);
 * IP literals are checked before connecting. Redirects are followed by hand, each checked again.
 */
export async function fetchMediaUrl(url: string, policy: MediaFetchPolicy, signal?: AbortSignal): Promise<FetchedMedia> {
  if (!policy.allowUrlFetch) throw refused('URL fetching is disabled (data: URLs only)');
  let current = url;
  for (let hop = 0; hop <= policy.maxRedirects; hop += 1) {
    const result = await fetchOnce(current, policy, signal);
    if ('redirect' in result) {
      current = new URL(result.redirect, current).toString();
      continue;
    }
    return result;
  }
  throw new LegoError('download-failed', `more than ${policy.maxRedirects} redirects`, { retryable: false });
}

function fetchOnce(url: string, policy: MediaFetchPolicy, signal: AbortSignal | undefined): Promise<FetchedMedia | { redirect: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.reject(new LegoError('bad-input', 'malformed media URL'));
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return Promise.reject(refused(`${parsed.protocol} URLs are not fetched`));
  const list = privateAddressList();
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && !policy.allowPrivateAddresses && isPrivateAddress(host, list)) {
    return Promise.reject(refused(`${host} is a private address`));
  }
  const lookup = (hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list2 = addresses as LookupAddress[];
      const bad = policy.allowPrivateAddresses ? undefined : list2.find((a) => isPrivateAddress(a.address, list));
      if (bad !== undefined || list2.length === 0) {
        const e: NodeJS.ErrnoException = refused(`${hostname} resolves to a private address`) as unknown as NodeJS.ErrnoException;
        return callback(e, '', 0);
      }
      if (options.all) return callback(null, list2);
      const first = list2[0]!;
      return callback(null, first.address, first.family);
    });
  };
  const client = parsed.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(parsed, { lookup, timeout: policy.fetchTimeoutMs, signal }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        resolve({ redirect: response.headers.location });
        return;
      }
      if (status !== 200) {
        response.resume();
        reject(new LegoError('download-failed', `media URL answered ${status}`, { retryable: status >= 500 }));
        return;
      }
      const declared = Number(response.headers['content-length'] ?? 0);
      if (declared > policy.maxBytes) {
        response.destroy();
        reject(new LegoError('too-large', `media URL is ${declared} bytes, over ${policy.maxBytes}`));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      response.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > policy.maxBytes) {
          response.destroy();
          reject(new LegoError('too-large', `media URL over ${policy.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ bytes: Buffer.concat(chunks), mime: response.headers['content-type'] }));
      response.on('error', (error) => reject(new LegoError('download-failed', 'media download broke off', { cause: error })));
    });
    const timer = setTimeout(() => request.destroy(new Error('timed out')), policy.fetchTimeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (error) => {
      if (LegoError.is(error)) reject(error);
      else if (LegoError.is((error as { cause?: unknown }).cause)) reject((error as { cause: LegoError }).cause);
      else reject(new LegoError('download-failed', `cannot fetch media URL: ${error.message}`, { cause: error, retryable: false }));
    });
  });
}
