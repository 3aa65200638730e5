import type { Reply, ReplyFile } from './types';

/** What a platform allows: the turn runner keeps every message, edit and file within it. */
export interface ReplySurfaceLimits {
  /** the longest message the platform takes; a longer answer is split (0 = no limit, one message) */
  maxMessageChars: number;
  /** least time between two updates of a growing answer (0 = each as it comes) */
  editIntervalMs: number;
  /** show a growing answer only once the turn has taken this long (a quick answer is sent once) */
  streamAfterMs: number;
  /** how often the typing indicator is renewed while the pipeline works (0 = shown once) */
  typingIntervalMs: number;
  /** the largest file the platform takes; a larger one is left out with a notice (0 = no limit) */
  maxUploadBytes: number;
  /** appended to a growing answer so people see it is not finished (Discord: " …"; "" = nothing) */
  growingMark: string;
}

/** One message of an answer, as the surface is asked to show it. */
export interface SurfaceMessage {
  /** formatted (`formatText`) and within `limits.maxMessageChars` */
  text: string;
  /** the answer's files, on the first message of the final answer only */
  files: readonly ReplyFile[];
  /** false while the answer grows; true for the final answer's messages */
  final: boolean;
}

/**
 * Where one answer goes, as small as a platform allows: send a message, edit it, show "typing", and the
 * platform's limits. Adapters implement it by translating to their platform's calls; the turn runner
 * (src/bot/turn-runner.ts) decides what to send when. Every method may throw: the runner logs it.
 */
export interface ReplySurface {
  readonly limits: ReplySurfaceLimits;
  /** a new message; resolves to its id */
  send(message: SurfaceMessage): Promise<string>;
  /** replace a message sent for this answer; absent = the surface cannot edit, so nothing is streamed */
  edit?(messageId: string, message: SurfaceMessage): Promise<void>;
  /**
   * For platforms that take files apart from messages (Slack's upload flow): called with the final
   * answer's files after its text went out; then no message carries files.
   */
  upload?(files: readonly ReplyFile[]): Promise<void>;
  /** "typing…" (renewed every `limits.typingIntervalMs`) */
  typing?(): Promise<unknown>;
  /** a line about a slow step ("Reading the video…") */
  status?(text: string): Promise<unknown>;
  /** the answer's words as the platform reads them (Slack escapes its markup); default as they are */
  formatText?(text: string): string;
  /** a notice under the answer (Discord `*…*`, Slack `_…_`); default as it is */
  formatNotice?(line: string): string;
  /**
   * After the final answer's messages went out: the whole Reply, for surfaces that show more than
   * text (the web chat's boxes and file links, Slack's uploads). Also told about skipped replies.
   */
  finished?(reply: Reply, messageIds: readonly string[]): Promise<void>;
}
