import { LegoError } from '../../src/errors';
import type { IncomingAttachment } from '../../src/bot/types';

/** Where attachments may come from: Discord's CDN hosts only (a local fake in tests). */
export interface DownloadPolicy {
  /** `host` or `host:port`, compared case-insensitively with the URL's host */
  hosts: readonly string[];
  /** accept http:// as well as https:// (local fakes only) */
  allowInsecure: boolean;
  /** give up on one download after this long (default 60 s) */
  timeoutMs?: number;
}

/** What Discord says about an attachment (a discord.js Attachment has these fields). */
export interface DiscordAttachmentInfo {
  id: string;
  name: string;
  contentType?: string | null;
  size?: number | null;
  url: string;
  proxyURL?: string | null;
}

const MAX_REDIRECTS = 3;

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 10 ? mb.toFixed(0) : mb.toFixed(1);
}

function tooLarge(name: string, size: number | undefined, maxBytes: number): LegoError {
  const sizeText = size === undefined ? 'over' : `${megabytes(size)} MB;`;
  return new LegoError('too-large', `attachment ${name} is larger than ${maxBytes} bytes`, {
    userMessage: `Sorry, that file is too large for me (${sizeText} the limit is ${megabytes(maxBytes)} MB).`,
    details: { size, maxBytes },
  });
}

/** The URL when it is on an allowed CDN host, else a `download-refused` error. */
export function checkCdnUrl(raw: string, policy: DownloadPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new LegoError('download-refused', 'attachment URL does not parse', { cause: error });
  }
  const schemeOk = url.protocol === 'https:' || (policy.allowInsecure && url.protocol === 'http:');
  const host = url.host.toLowerCase();
  const hostOk = policy.hosts.some((allowed) => allowed.toLowerCase() === host);
  if (!schemeOk || !hostOk || url.username !== '' || url.password !== '') {
    throw new LegoError('download-refused', `attachment host ${host} (${url.protocol}) is not a Discord CDN host`, { details: { host } });
  }
  return url;
}

async function readCapped(response: Response, name: string, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  const body = response.body;
  if (body === null) return Buffer.alloc(0);
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge(name, undefined, maxBytes);
      parts.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  }
  return Buffer.concat(parts, total);
}

/** Download `raw` from an allowed CDN host (redirects checked too), at most `maxBytes`. */
export async function downloadFromCdn(raw: string, policy: DownloadPolicy, options: { signal?: AbortSignal; maxBytes: number; name?: string }): Promise<Buffer> {
  const { maxBytes } = options;
  const outer = options.signal;
  const info = { name: options.name ?? 'file' };
  const timeout = AbortSignal.timeout(policy.timeoutMs ?? 60_000);
  const signal = outer === undefined ? timeout : AbortSignal.any([outer, timeout]);
  let url = checkCdnUrl(raw, policy);
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await fetch(url, { signal, redirect: 'manual' });
    } catch (error) {
      if (outer?.aborted === true) throw LegoError.from(outer.reason ?? error, 'aborted');
      throw new LegoError('download-failed', `attachment download failed: ${(error as Error).message}`, { cause: error });
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      const location = response.headers.get('location');
      if (location === null || hop >= MAX_REDIRECTS) throw new LegoError('download-failed', 'attachment redirect without a usable location');
      url = checkCdnUrl(new URL(location, url).toString(), policy);
      continue;
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new LegoError('download-failed', `attachment download answered HTTP ${response.status}`, {
        retryable: response.status >= 500 || response.status === 429,
        details: { status: response.status },
      });
    }
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(length) && length > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge(info.name, length, maxBytes);
    }
    return readCapped(response, info.name, maxBytes, signal);
  }
}

/**
 * The pipeline's view of a Discord attachment. `fetch` checks the declared size before any request,
 * only talks to the CDN hosts (redirects included), and counts bytes while streaming.
 */
export function toIncomingAttachment(info: DiscordAttachmentInfo, policy: DownloadPolicy): IncomingAttachment {
  const size = typeof info.size === 'number' ? info.size : undefined;
  return {
    id: info.id,
    name: info.name,
    contentType: info.contentType ?? undefined,
    size,
    url: info.url,
    async fetch({ signal, maxBytes }): Promise<Buffer> {
      if (size !== undefined && size > maxBytes) throw tooLarge(info.name, size, maxBytes);
      return downloadFromCdn(info.url, policy, { signal, maxBytes, name: info.name });
    },
  };
}
