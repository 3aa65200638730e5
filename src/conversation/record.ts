import { z } from 'zod';

/**
 * The stored shape of one conversation, validated with zod every time it is read back. Media are
 * kept as a content hash plus a way to fetch the bytes again (`source`) — never the bytes. Assistant
 * turns keep the model's raw text in the model's own frame; every box and span shown gets a region
 * number that stays stable for the life of the conversation.
 */

export const CONVERSATION_SCHEMA_VERSION = 1;

const finite = z.number().finite();
const count = z.number().int().nonnegative();
const id = z.number().int().positive();

export const ModelBoxSchema = z.object({ x1: finite, y1: finite, x2: finite, y2: finite });
export const PixelBoxSchema = ModelBoxSchema;
export const SpanSchema = z.object({ start: finite, end: finite });
export const ImageSizeSchema = z.object({ width: z.number().positive(), height: z.number().positive() });

/** A pixel rectangle of the original image (integers), used for zoom crops. */
export const CropRectSchema = z.object({
  x: z.number().int().nonnegative(),
  y: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

/** A stretch of a video in seconds, for zooms in time ("zoom into span 2"). */
export const ClipSchema = z.object({
  start: z.number().finite().nonnegative(),
  end: z.number().finite().positive(),
});

/** How to get the bytes of a media again. Tokens needed to fetch a URL are never stored here. */
export const MediaSourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('url'), url: z.string().min(1) }),
  z.object({ type: z.literal('blob'), key: z.string().min(1) }),
  z.object({ type: z.literal('file'), path: z.string().min(1) }),
]);

/**
 * A sound sent together with an image (one message, or a voice message replying to it): kept in the
 * image's media context so that follow-ups hear it too. A sound alone is a media context of its own
 * (kind audio); a video's soundtrack is read from the video itself.
 */
export const MediaSoundSchema = z.object({
  /** sha256 of the sound file's bytes, hex */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  mime: z.string().min(1),
  durationSec: z.number().nonnegative().nullable(),
  source: MediaSourceSchema,
  name: z.string().nullable(),
});

export const MediaContextSchema = z.object({
  /** 1-based, never reused within the conversation */
  id,
  kind: z.enum(['image', 'video', 'audio']),
  /** sha256 of the bytes, hex */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  mime: z.string().min(1),
  /** as displayed (after EXIF orientation); null for audio */
  size: ImageSizeSchema.nullable(),
  durationSec: z.number().nonnegative().nullable(),
  source: MediaSourceSchema,
  /** file name as uploaded, for "what do you remember" */
  name: z.string().nullable(),
  /** the sound sent with the image, if any (records written before sounds have none) */
  sound: MediaSoundSchema.nullable().default(null),
  addedAt: count,
});

export const StoredTurnSchema = z.object({
  /** 1-based, never reused within the conversation */
  id,
  role: z.enum(['user', 'assistant']),
  /** user: what the person wrote; assistant: the model's raw output (model frame) */
  text: z.string(),
  /** user turns whose references were rewritten: the text the model was given */
  prompt: z.string().nullable(),
  /** the media context the turn belongs to (null: no media yet) */
  mediaId: id.nullable(),
  /** set when the turn was asked on a crop of the media (zoom); its text is in the crop's frame */
  crop: CropRectSchema.nullable(),
  /** set when the turn was asked on a stretch of the video (zoom into a span); its spans are in the stretch's frame */
  clip: ClipSchema.nullable().default(null),
  /** assistant turns: the region numbers it showed */
  regions: z.array(id),
  at: count,
});

const regionCommon = {
  /** stable number within the conversation, shared by boxes and spans: 1, 2, 3… */
  number: id,
  label: z.string().nullable(),
  mediaId: id.nullable(),
  /** the assistant turn that showed it (for a region drawn by hand: the question that drew it) */
  turnId: id,
  /** its index within that answer (1-based) */
  answerIndex: id,
  /** drawn by the person ("the region 10,20,200,180", a rectangle dragged in the web chat), not found by the model */
  drawn: z.boolean().optional(),
};

export const BoxRegionSchema = z.object({
  kind: z.literal('box'),
  ...regionCommon,
  /** model frame (fractions of the padded square of the full image) */
  box: ModelBoxSchema,
  /** pixels of the full image as displayed */
  pixels: PixelBoxSchema.nullable(),
});

export const SpanRegionSchema = z.object({
  kind: z.literal('span'),
  ...regionCommon,
  /** model frame (fractions of the duration) */
  span: SpanSchema,
  seconds: SpanSchema.nullable(),
});

export const RegionSchema = z.discriminatedUnion('kind', [BoxRegionSchema, SpanRegionSchema]);

export const ConversationRecordSchema = z.object({
  schemaVersion: z.literal(CONVERSATION_SCHEMA_VERSION),
  key: z.string().min(1),
  createdAt: count,
  updatedAt: count,
  /** bumped by every save; lets a record held after a failed save be written back safely */
  revision: count,
  activeMediaId: id.nullable(),
  nextTurnId: id,
  nextMediaId: id,
  nextRegionNumber: id,
  media: z.array(MediaContextSchema),
  turns: z.array(StoredTurnSchema),
  regions: z.array(RegionSchema),
  /** turns dropped by the retention policy so far */
  droppedTurns: count,
});

export type CropRect = z.infer<typeof CropRectSchema>;
export type Clip = z.infer<typeof ClipSchema>;
export type MediaSource = z.infer<typeof MediaSourceSchema>;
export type MediaContext = z.infer<typeof MediaContextSchema>;
export type MediaSound = z.infer<typeof MediaSoundSchema>;
export type StoredTurn = z.infer<typeof StoredTurnSchema>;
export type BoxRegion = z.infer<typeof BoxRegionSchema>;
export type SpanRegion = z.infer<typeof SpanRegionSchema>;
export type Region = z.infer<typeof RegionSchema>;
export type ConversationRecord = z.infer<typeof ConversationRecordSchema>;

/** A new, empty conversation. `revision` continues a previous record's, when one is replaced. */
export function createConversationRecord(key: string, now: number, revision = 0): ConversationRecord {
  return {
    schemaVersion: CONVERSATION_SCHEMA_VERSION,
    key,
    createdAt: now,
    updatedAt: now,
    revision,
    activeMediaId: null,
    nextTurnId: 1,
    nextMediaId: 1,
    nextRegionNumber: 1,
    media: [],
    turns: [],
    regions: [],
    droppedTurns: 0,
  };
}
