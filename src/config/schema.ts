/**
 * The configuration, composed from one file per section. Every setting is typed, documented
 * (`.describe()`) and defaulted in its section's zod schema — the one place a default is written;
 * modules take the parsed values. `loadConfig` validates them all once at start-up.
 *
 * The core sections (engine, media, conversation, render, bot, logging, remote) are here. A platform's
 * settings live beside its adapter (adapters/<name>/<name>-config.ts) and are composed into the whole
 * configuration by the composition roots (`appSections()` in src/cli/commands.ts, used by src/main.ts
 * and the CLI), so that src/ never imports adapters/.
 *
 * ADDING A SECTION:
 *   1. write a file exporting `<name>Section = defineSection({ schema })` — a zod object whose fields
 *      have `.describe()` and, where sensible, `.default()`; required secrets (tokens) are plain
 *      `z.string().min(1)` inside an `.optional()` section object or checked by the adapter's own
 *      `require…` helper, so that a bot without that adapter still starts;
 *   2. add it: one line in `coreSections` below for a core section; for an adapter's, one line in
 *      `AppSections` and one in `appSections()` (src/cli/commands.ts).
 * Its environment variables are then `LEGO_<NAME>_<KEY>` (upper snake case, nested keys joined by
 * `_`) with no further code; settings inside unions or with friendlier names use `aliases`
 * (see ./conversation.ts). `ConfigOf<sections>['<name>']` is typed from the schema.
 */
import type { z } from 'zod';
import { adaptersSection } from './adapters';
import { botSection } from './bot';
import { conversationSection } from './conversation';
import { engineSection } from './engine';
import { limitsSection } from './limits';
import { loggingSection } from './logging';
import { mediaSection } from './media';
import { remoteSection } from './remote';
import { renderSection } from './render';
import type { ConfigSection } from './section';

/** Sections by name. */
export type SectionMap = Readonly<Record<string, ConfigSection>>;

/** The sections every entry point has: the pipeline's, the engine's, logging. */
export const coreSections = {
  engine: engineSection,
  media: mediaSection,
  conversation: conversationSection,
  render: renderSection,
  bot: botSection,
  limits: limitsSection,
  logging: loggingSection,
  adapters: adaptersSection,
  remote: remoteSection,
} as const satisfies SectionMap;

/** A validated configuration of these sections: every default filled in. */
export type ConfigOf<S extends SectionMap> = { [K in keyof S]: z.output<S[K]['schema']> };

/** What `loadConfig` takes besides the environment: any subset of any section (e.g. from CLI flags). */
export type ConfigInputOf<S extends SectionMap> = { [K in keyof S]?: Partial<z.input<S[K]['schema']>> };

export type SectionName = keyof typeof coreSections;

/** The core configuration (what src/ outside the composition roots reads). */
export type LegoConfig = ConfigOf<typeof coreSections>;

export type LegoConfigInput = ConfigInputOf<typeof coreSections>;
