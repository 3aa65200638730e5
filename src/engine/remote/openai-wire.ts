/**
 * The subset of OpenAI's chat-completions wire format that `lego serve` answers and `RemoteEngine`
 * speaks, plus LEGO's additions (all optional, ignored by other clients):
 *
 * - `choices[0].message.grounding` (plain) and `choices[0].delta.grounding` (stream): the boxes and
 *   spans of the answer, each with its model-frame numbers (`x1..y2` fractions of the padded square;
 *   `start/end` fractions of the duration) and, when the request had the media, `pixels`/`seconds`
 *   on the original;
 * - `lego` on the response / last chunk: the generated token ids, timings and dropped turns;
 * - the error object's `retryable` flag next to OpenAI's `message/type/code/param`.
 */

export interface WireTextPart {
  type: 'text';
  text: string;
}

export interface WireImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: string } | string;
}

export interface WireVideoPart {
  type: 'video_url';
  video_url: { url: string } | string;
}

/** A sound: base64 bytes and their format (a remote engine sends 16-bit PCM `wav`). */
export interface WireAudioPart {
  type: 'input_audio';
  input_audio: { data: string; format: string };
}

export type WireContentPart = WireTextPart | WireImagePart | WireVideoPart | WireAudioPart;

export interface WireMessage {
  role: 'system' | 'developer' | 'user' | 'assistant';
  content: string | WireContentPart[] | null;
}

export interface WireChatRequest {
  model?: string;
  messages: WireMessage[];
  stream?: boolean;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string | string[];
  stream_options?: { include_usage?: boolean };
}

export interface WireBox {
  index: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  pixels?: { x1: number; y1: number; x2: number; y2: number };
  label?: string;
  raw: string;
}

export interface WireSpan {
  index: number;
  start: number;
  end: number;
  seconds?: { start: number; end: number };
  label?: string;
  raw: string;
}

export interface WireGrounding {
  boxes: WireBox[];
  spans: WireSpan[];
}

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface WireLegoInfo {
  token_ids?: number[];
  dropped_turns?: number;
  timings?: Record<string, number>;
}

export type WireFinishReason = 'stop' | 'length' | 'timeout' | 'aborted';

export interface WireCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: 0;
    message: { role: 'assistant'; content: string; grounding: WireGrounding };
    finish_reason: WireFinishReason;
  }[];
  usage: WireUsage;
  lego?: WireLegoInfo;
}

export interface WireChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: 0;
    delta: { role?: 'assistant'; content?: string; grounding?: Partial<WireGrounding> };
    finish_reason: WireFinishReason | null;
  }[];
  usage?: WireUsage | null;
  lego?: WireLegoInfo;
}

export interface WireError {
  error: {
    message: string;
    type: string;
    code: string | null;
    param: string | null;
    /** LEGO: whether the same request may succeed later */
    retryable?: boolean;
  };
}

/** `/v1/models` entry; `lego.media` tells a RemoteEngine how to prepare media for this server. */
export interface WireModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  lego?: { media: unknown };
}
