import { z } from 'zod';
import { defineSection } from './section';

const MiB = 1024 * 1024;

/** The pictures the bot sends back. Adapters may lower maxUploadBytes to their platform's limit. */
export const RenderConfigSchema = z.object({
  maxUploadBytes: z.number().int().positive().default(8 * MiB).describe('largest picture sent back (JPEG or PNG); it is sized to fit'),
  maxSide: z
    .number()
    .int()
    .positive()
    .default(1280)
    .describe('longest side of the annotated image (display size); a photo whose side halved, quartered or divided by 8 keeps 3/4 of it is sent at that: 12 MP at 1000×750'),
  timelineWidth: z.number().int().min(200).default(1200).describe('width of the video timeline PNG'),
  keyframes: z.boolean().default(true).describe('show keyframe thumbnails on the timeline'),
  annotateWithoutBoxes: z.boolean().default(false).describe('send the image back even when the answer has no boxes'),
});

export type RenderConfig = z.output<typeof RenderConfigSchema>;

export const renderSection = defineSection({ schema: RenderConfigSchema });
