import type { Reply, ReplyBox, ReplySpan } from '../../src/bot/types';
import type { LegoErrorCode } from '../../src/errors';

/** A reply file as the browser sees it: a URL instead of the bytes. */
export interface WebReplyFile {
  url: string;
  name: string;
  contentType: string;
  kind: 'annotated-image' | 'timeline' | 'crop' | 'clip' | 'export';
  description?: string;
}

/** The JSON the web chat receives for one answer (the `reply` event, and /api/reset's body). */
export interface WebReply {
  text: string;
  boxes: ReplyBox[];
  spans: ReplySpan[];
  files: WebReplyFile[];
  notices: string[];
  error?: { code: LegoErrorCode; retryable: boolean };
  /** the pipeline chose not to answer (queue strategy): the page shows nothing */
  skipped?: 'dropped' | 'superseded';
}

/** Turns a pipeline Reply into the browser's shape; `storeFile` keeps each file's bytes and gives its URL. */
export function toWebReply(reply: Reply, storeFile: (file: Reply['files'][number]) => string): WebReply {
  return {
    text: reply.text,
    boxes: reply.boxes,
    spans: reply.spans,
    files: reply.files.map((file) => ({
      url: storeFile(file),
      name: file.name,
      contentType: file.contentType,
      kind: file.kind,
      ...(file.description === undefined ? {} : { description: file.description }),
    })),
    notices: reply.notices,
    ...(reply.error === undefined ? {} : { error: reply.error }),
    ...(reply.skipped === undefined ? {} : { skipped: reply.skipped }),
  };
}
