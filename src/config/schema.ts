/**
 * The configuration, composed from one file per section. Every setting is typed, documented
 * (`.describe()`) and defaulted in its section's zod schema; `loadConfig` validates them all once at
 * start-up.
 *
 * ADDING A SECTION (adapters: discord, slack, remote…):
 *   1. write `src/config/<name>.ts` exporting `<name>Section = defineSection({ schema })` — a zod
 *      object whose fields have `.describe()` and, where sensible, `.default()`; required secrets
 *      (tokens) are plain `z.string().min(1)` inside an `.optional()` section object or checked by
 *      the adapter's own `require…` helper, so that a bot without that adapter still starts;
 *   2. add ONE line to `sections` below: `<name>: <name>Section,`.
 * Its environment variables are then `LEGO_<NAME>_<KEY>` (upper snake case, nested keys joined by
 * `_`) with no further code; settings inside unions or with friendlier names use `aliases`
 * (see ./conversation.ts). `LegoConfig['<name>']` is typed from the schema.
 */
import type { z } from 'zod';
import { adaptersSection } from './adapters';
import { botSection } from './bot';
import { conversationSection } from './conversation';
import { discordSection } from './discord';
import { engineSection } from './engine';
import { limitsSection } from './limits';
import { loggingSection } from './logging';
import { mediaSection } from './media';
import { remoteSection } from './remote';
import { renderSection } from './render';
import type { ConfigSection } from './section';
import { serveSection } from './serve';
import { slackSection } from './slack';
import { webSection } from './web';

export const sections = {
  engine: engineSection,
  media: mediaSection,
  conversation: conversationSection,
  render: renderSection,
  bot: botSection,
  limits: limitsSection,
  logging: loggingSection,
  adapters: adaptersSection,
  web: webSection,
  serve: serveSection,
  slack: slackSection,
  discord: discordSection,
  remote: remoteSection,
} as const satisfies Record<string, ConfigSection>;

export type SectionName = keyof typeof sections;

/** The whole validated configuration: every section, every default filled in. */
export type LegoConfig = { [K in SectionName]: z.output<(typeof sections)[K]['schema']> };

/** What `loadConfig` takes besides the environment: any subset of any section (e.g. from CLI flags). */
export type LegoConfigInput = { [K in SectionName]?: Partial<z.input<(typeof sections)[K]['schema']>> };
