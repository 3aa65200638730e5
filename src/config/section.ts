import type { z } from 'zod';

/** How an environment variable's text is turned into the value the schema checks. */
export type EnvValueType = 'string' | 'number' | 'boolean' | 'list';

/** An environment variable that does not follow the generic `LEGO_<SECTION>_<KEY>` naming. */
export interface EnvAlias {
  /** the setting inside the section, e.g. `['store', 'url']` */
  path: readonly string[];
  type: EnvValueType;
}

/**
 * One section of the configuration: its zod schema (every field documented with `.describe()` and
 * defaulted where a default makes sense) and the environment variables that the generic naming cannot
 * derive (settings inside unions, friendlier names).
 */
export interface ConfigSection<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** env name → setting; checked before the generic names */
  aliases?: Readonly<Record<string, EnvAlias>>;
  /** settings the generic env walk skips (because aliases cover them) */
  skipEnv?: readonly string[];
  /**
   * Settles the section's raw input before the schema checks it: fills what other settings imply
   * (a Redis URL implies the Redis store) or names a contradiction in words the user can act on.
   */
  settle?: (input: Record<string, unknown>) => { input: Record<string, unknown>; problems: string[] };
}

/** Declare a section with its exact schema type kept (for `LegoConfig`). */
export function defineSection<S extends z.ZodType>(section: ConfigSection<S>): ConfigSection<S> {
  return section;
}
