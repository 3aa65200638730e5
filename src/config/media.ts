import { mediaOptionsSchema } from '../media/options';
import { defineSection } from './section';

/** Media limits and tools: the media pipeline's own schema (src/media/options.ts), as it is. */
export const mediaSection = defineSection({ schema: mediaOptionsSchema });
