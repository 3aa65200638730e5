import type { LegoErrorCode } from '../errors';
import type { PixelBox, SecondSpan } from '../grounding/types';

/** Which platform a message came from (for logs and small wording differences only). */
export type Platform = 'discord' | 'slack' | 'web' | 'cli' | 'http';

/**
 * An attachment as an adapter sees it. The adapter owns downloading: `fetch` enforces the platform's
 * own hosts, auth headers and the byte limit (checked from the declared size and while streaming).
 */
export interface IncomingAttachment {
  /** the platform's id for the file, stable across refetches when it has one */
  id: string;
  name: string;
  /** declared by the platform; the pipeline sniffs the real type from the bytes anyway */
  contentType?: string;
  /** declared size in bytes, when the platform says */
  size?: number;
  /** a URL the adapter can fetch again later (kept in conversation state, never the bytes of a video) */
  url?: string;
  /**
   * a file on this machine the bytes came from (the CLI): kept as the media's source so follow-ups read
   * it again instead of storing a copy
   */
  localPath?: string;
  fetch(options: { signal?: AbortSignal; maxBytes: number }): Promise<Buffer>;
}

/** One platform message, turned into the pipeline's shape. */
export interface IncomingMessage {
  platform: Platform;
  /** chosen by the adapter: channel + thread, DM, reply chain… */
  conversationKey: string;
  /** the platform's message id (for logs and de-duplication) */
  messageId: string;
  author: { id: string; name?: string };
  /** the user's words, with the bot mention and any command prefix removed */
  text: string;
  attachments: IncomingAttachment[];
  /** a line the adapter wants shown with the answer (e.g. which earlier image a channel follow-up is about) */
  notice?: string;
  /**
   * Fetch a file this platform sent earlier again, by the `url` an attachment had (kept in the
   * conversation as the media's source), with the platform's hosts, auth and byte limit. Optional: without
   * it, follow-ups about earlier media are served from the pipeline's tensor cache and blob store.
   */
  fetchUrl?(url: string, options: { signal?: AbortSignal; maxBytes: number }): Promise<Buffer>;
}

/** A file the bot sends back. */
export interface ReplyFile {
  name: string;
  contentType: string;
  data: Buffer;
  /** alt text / description for the platform */
  description?: string;
  /** 'export': a file of a conversation export (conversation.md and the pictures it links to) */
  kind: 'annotated-image' | 'timeline' | 'crop' | 'clip' | 'export';
}

export interface ReplyBox {
  /** the region number in this conversation (stable across turns: "box 2") */
  ref: number;
  pixels: PixelBox;
  label?: string;
  /** the box is where the sound sent with the image comes from */
  soundSource?: boolean;
}

export interface ReplySpan {
  ref: number;
  seconds: SecondSpan;
  label?: string;
}

/** What the pipeline answers: the numbered text, the files, and the structured grounding. */
export interface Reply {
  /** the answer with coordinates replaced by numbered references ("The red star [1] …") */
  text: string;
  files: ReplyFile[];
  boxes: ReplyBox[];
  spans: ReplySpan[];
  /** set when the reply is a polite error message (text holds the user-facing words) */
  error?: { code: LegoErrorCode; retryable: boolean };
  /** notices worth showing (context trimmed, conversation restarted after a corrupt record…) */
  notices: string[];
  /**
   * set when the message was not answered on purpose: the conversation's queue strategy dropped it, or a
   * newer message superseded it (latest-only). `text` is empty; adapters send nothing.
   */
  skipped?: 'dropped' | 'superseded';
}

/**
 * Optional callbacks an adapter gives the pipeline while it works: typing indicators and the answer
 * text as it grows (the adapter throttles its own edits to its platform's limits).
 */
export interface ReplyProgress {
  typing?(): void | Promise<void>;
  partial?(text: string): void | Promise<void>;
  status?(text: string): void | Promise<void>;
}

/** The one pipeline every adapter uses. */
export interface BotHandler {
  handle(message: IncomingMessage, progress?: ReplyProgress, signal?: AbortSignal): Promise<Reply>;
  /**
   * An attachment has arrived ahead of the message that will name it (the web chat's upload): the
   * handler may start preparing it now, so that the turn finds it ready. Returns at once; best effort.
   */
  prepareAhead?(attachment: IncomingAttachment): void;
}

/** Every platform adapter. */
export interface Adapter {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
