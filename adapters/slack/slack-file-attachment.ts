import { LegoError } from '../../src/errors';
import { sniffMedia } from '../../src/media/sniff-media';
import type { IncomingAttachment } from '../../src/bot/types';

/** The fields of a Slack file object the adapter reads (events carry them in `files`). */
export interface SlackFile {
  id: string;
  name?: string;
  title?: string;
  mimetype?: string;
  filetype?: string;
  size?: number;
  url_private?: string;
  url_private_download?: string;
  /** 'check_file_info' when the event left the file's details out */
  file_access?: string;
}

export interface SlackFileAccess {
  botToken: string;
  /** hosts (host or host:port) downloads may come from */
  hosts: readonly string[];
  /** accept http:// as well as https:// (local fakes only) */
  allowInsecure: boolean;
  /** asks files.info for a file the event did not describe fully */
  fileInfo?: (id: string) => Promise<SlackFile | undefined>;
  fetchFn?: typeof fetch;
}

export const MISSING_FILES_READ =
  'I could not read that file: the app is missing the files:read scope. Ask a workspace admin to add it and reinstall the app.';

const MAX_REDIRECTS = 3;

function fileUrl(file: SlackFile): string | undefined {
  return file.url_private_download ?? file.url_private;
}

/** The URL when it is one of Slack's own file hosts; otherwise a refusal (the token never leaves Slack). */
function checkedUrl(raw: string, access: SlackFileAccess): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new LegoError('download-refused', 'Slack file URL does not parse', { cause });
  }
  const schemeOk = url.protocol === 'https:' || (access.allowInsecure && url.protocol === 'http:');
  const hostOk = access.hosts.includes(url.host) || access.hosts.includes(url.hostname);
  if (!schemeOk || !hostOk || url.username !== '' || url.password !== '') {
    throw new LegoError('download-refused', `file URL host ${url.host} (${url.protocol}) is not a Slack file host`);
  }
  return url;
}

function looksLikeHtml(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 256).toString('latin1').replace(/^\uFEFF/, '').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<head') || head.startsWith('<!--');
}

async function readLimited(response: Response, maxBytes: number, signal: AbortSignal | undefined): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new LegoError('too-large', `file is ${declared} bytes, limit ${maxBytes}`, { details: { bytes: declared, maxBytes } });
  }
  if (response.body === null) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    if (signal?.aborted === true) {
      await reader.cancel().catch(() => undefined);
      throw new LegoError('aborted', 'download aborted');
    }
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new LegoError('too-large', `file passed the limit of ${maxBytes} bytes while downloading`, { details: { maxBytes } });
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks, total);
}

/**
 * Download a Slack file with the bot token: only from Slack's file hosts, size checked from the file
 * object, the response header and while streaming, and the bytes checked to be media — a missing
 * `files:read` scope shows up as a 200 HTML login page, which becomes a polite, specific error.
 */
export async function downloadSlackFile(
  file: SlackFile,
  access: SlackFileAccess,
  options: { signal?: AbortSignal; maxBytes: number },
): Promise<Buffer> {
  let described = file;
  if (fileUrl(described) === undefined || described.file_access === 'check_file_info') {
    described = (await access.fileInfo?.(file.id)) ?? described;
  }
  const raw = fileUrl(described);
  if (raw === undefined) throw new LegoError('download-failed', `Slack file ${file.id} has no url_private`, { retryable: false });
  if (described.size !== undefined && described.size > options.maxBytes) {
    throw new LegoError('too-large', `file is ${described.size} bytes, limit ${options.maxBytes}`, {
      details: { bytes: described.size, maxBytes: options.maxBytes },
    });
  }
  const fetchFn = access.fetchFn ?? fetch;
  let url = checkedUrl(raw, access);
  let response: Response | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    try {
      response = await fetchFn(url, {
        headers: { Authorization: `Bearer ${access.botToken}` },
        redirect: 'manual',
        signal: options.signal,
      });
    } catch (cause) {
      if (options.signal?.aborted === true) throw new LegoError('aborted', 'download aborted', { cause });
      throw new LegoError('download-failed', `Slack file ${file.id}: ${(cause as Error).message}`, { cause });
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) break;
    await response.body?.cancel().catch(() => undefined);
    url = checkedUrl(new URL(location, url).toString(), access);
    response = undefined;
  }
  if (response === undefined) throw new LegoError('download-failed', `Slack file ${file.id}: too many redirects`);
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel().catch(() => undefined);
    throw new LegoError('download-refused', `Slack file ${file.id}: HTTP ${response.status}`, { userMessage: MISSING_FILES_READ });
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new LegoError('download-failed', `Slack file ${file.id}: HTTP ${response.status}`, { retryable: response.status >= 500 });
  }
  const bytes = await readLimited(response, options.maxBytes, options.signal);
  const type = response.headers.get('content-type') ?? '';
  if (type.toLowerCase().startsWith('text/html') || looksLikeHtml(bytes)) {
    throw new LegoError('download-refused', `Slack file ${file.id}: got an HTML page instead of the file (files:read scope missing?)`, {
      userMessage: MISSING_FILES_READ,
    });
  }
  if (sniffMedia(bytes) === undefined) {
    throw new LegoError('unsupported-media', `Slack file ${file.id} (${described.mimetype ?? 'no type'}) is not media I read`);
  }
  return bytes;
}

/** A Slack file as the pipeline's attachment: the adapter owns the download. */
export function slackAttachment(file: SlackFile, access: SlackFileAccess): IncomingAttachment {
  return {
    id: file.id,
    name: file.name ?? file.title ?? file.id,
    contentType: file.mimetype,
    size: file.size,
    url: fileUrl(file),
    fetch: (options) => downloadSlackFile(file, access, options),
  };
}
