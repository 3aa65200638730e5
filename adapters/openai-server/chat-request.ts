import { z } from 'zod';
import type { GenerationOptions, Turn } from '../../src/engine/types';
import { LegoError } from '../../src/errors';

const urlRef = z.union([z.string().min(1), z.object({ url: z.string().min(1) }).loose()]);

const contentPart = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }).loose(),
  z.object({ type: z.literal('image_url'), image_url: urlRef }).loose(),
  z.object({ type: z.literal('video_url'), video_url: urlRef }).loose(),
  z
    .object({
      type: z.literal('input_audio'),
      input_audio: z.object({ data: z.string().min(1), format: z.string().min(1) }).loose(),
    })
    .loose(),
]);

const message = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant']),
    content: z.union([z.string(), z.array(contentPart), z.null()]),
  })
  .loose();

/** The request body `lego serve` accepts (unknown fields are ignored, as OpenAI-compatible servers do). */
export const chatRequestSchema = z
  .object({
    model: z.string().optional(),
    messages: z.array(message).min(1),
    stream: z.boolean().optional(),
    max_tokens: z.number().int().positive().optional(),
    max_completion_tokens: z.number().int().positive().optional(),
    temperature: z.number().min(0).max(5).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    seed: z.number().int().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(8)]).optional(),
    n: z.literal(1).optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().optional(),
  })
  .loose();

export interface MediaRef {
  kind: 'image' | 'video';
  url: string;
  /** where it was, for error messages: messages[i].content[j] */
  param: string;
}

/** An OpenAI `input_audio` part: the sound's bytes (base64) and its format ('wav', 'mp3'…). */
export interface AudioRef {
  data: string;
  format: string;
  param: string;
}

export interface ChatRequest {
  model: string | undefined;
  stream: boolean;
  includeUsage: boolean;
  turns: Turn[];
  media: MediaRef | undefined;
  /** a sound sent with the image (or alone): one per conversation, like the media */
  audio: AudioRef | undefined;
  options: GenerationOptions;
}

function badRequest(message: string, param: string | null): LegoError {
  return new LegoError('bad-input', message, { details: { param } });
}

function tooLong(message: string, param: string): LegoError {
  return new LegoError('too-large', message, { details: { param } });
}

/** The caps a request is checked against before anything is tokenised (see the `serve` config section). */
export interface ChatRequestLimits {
  /** most conversation turns */
  maxTurns: number;
  /** longest text of one message, characters (413) */
  maxMessageChars: number;
  /** longest text of all messages together, characters (413) */
  maxTotalChars: number;
  /** most tokens the request may ask for (400) */
  maxNewTokens: number;
}

/**
 * Checks an OpenAI chat request and turns it into LEGO turns: system/developer messages are dropped
 * (LEGO's prompt has its own system text), consecutive messages of one role are joined, the last must
 * be the user's; at most one image or video in the whole conversation (LEGO's single media context), and
 * at most one sound (an `input_audio` part, heard with that image).
 * Text is capped per message and in total (LegoError 'too-large', 413) and `max_tokens` against
 * `maxNewTokens` before the engine sees the request: the engine tokenises the conversation, and a
 * 52 MB request once held the server for 53 s there.
 * Throws LegoError('bad-input') with `details.param` naming the field.
 */
export function parseChatRequest(body: unknown, limits: ChatRequestLimits): ChatRequest {
  const { maxTurns, maxMessageChars, maxTotalChars, maxNewTokens: maxTokens } = limits;
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue?.path.join('.') || null;
    throw badRequest(`${param ?? 'body'}: ${issue?.message ?? 'invalid request'}`, param);
  }
  const req = parsed.data;
  const turns: Turn[] = [];
  let media: MediaRef | undefined;
  let audio: AudioRef | undefined;
  let totalChars = 0;
  req.messages.forEach((m, i) => {
    if (m.role === 'system' || m.role === 'developer') return;
    const texts: string[] = [];
    if (typeof m.content === 'string') texts.push(m.content);
    else if (Array.isArray(m.content)) {
      m.content.forEach((part, j) => {
        const param = `messages.${i}.content.${j}`;
        if (part.type === 'text') {
          texts.push(part.text);
          return;
        }
        if (m.role !== 'user') throw badRequest('only user messages may carry media', param);
        if (part.type === 'input_audio') {
          if (audio !== undefined) throw badRequest('one sound per conversation', param);
          audio = { data: part.input_audio.data, format: part.input_audio.format, param };
          return;
        }
        const ref = part.type === 'image_url' ? part.image_url : part.video_url;
        const url = typeof ref === 'string' ? ref : ref.url;
        if (media !== undefined) throw badRequest('one image or video per conversation', param);
        media = { kind: part.type === 'image_url' ? 'image' : 'video', url, param };
      });
    }
    const text = texts.join('\n');
    if (text.length > maxMessageChars) {
      throw tooLong(`messages.${i} has ${text.length} characters of text, over the limit of ${maxMessageChars}`, `messages.${i}.content`);
    }
    totalChars += text.length;
    if (totalChars > maxTotalChars) {
      throw tooLong(`the messages have over ${maxTotalChars} characters of text together (the limit); send fewer or shorter turns`, 'messages');
    }
    const role = m.role === 'user' ? 'user' : 'assistant';
    const last = turns[turns.length - 1];
    if (last !== undefined && last.role === role) last.text = `${last.text}\n${text}`;
    else turns.push({ role, text });
  });
  if (turns.length === 0 || turns[turns.length - 1]!.role !== 'user') {
    throw badRequest('the last message must be the user’s', 'messages');
  }
  if (turns[0]!.role !== 'user') turns.shift();
  if (turns.length > maxTurns) throw badRequest(`more than ${maxTurns} turns`, 'messages');
  const options: GenerationOptions = {};
  const maxNewTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxNewTokens !== undefined && maxNewTokens > maxTokens) {
    const param = req.max_completion_tokens === undefined ? 'max_tokens' : 'max_completion_tokens';
    throw badRequest(`${param} is ${maxNewTokens}, over the limit of ${maxTokens}`, param);
  }
  if (maxNewTokens !== undefined) options.maxNewTokens = maxNewTokens;
  if (req.temperature !== undefined) options.temperature = req.temperature;
  if (req.top_p !== undefined) options.topP = req.top_p;
  if (req.seed !== undefined) options.seed = req.seed;
  if (req.stop !== undefined) options.stop = typeof req.stop === 'string' ? [req.stop] : req.stop;
  return {
    model: req.model,
    stream: req.stream ?? false,
    includeUsage: req.stream_options?.include_usage ?? false,
    turns,
    media,
    audio,
    options,
  };
}
