import { z } from 'zod';
import { LegoError } from '../errors';
import { envName } from './env-names';
import { coreSections } from './schema';
import type { ConfigInputOf, ConfigOf, SectionMap } from './schema';
import type { ConfigSection, EnvValueType } from './section';

export interface LoadConfigOptions<S extends SectionMap = typeof coreSections> {
  /** the sections to read (default the core ones; a composition root adds its adapters': `appSections()`) */
  sections?: S;
  /** the environment to read; default `process.env` (the only place in the project that reads it) */
  env?: Readonly<Record<string, string | undefined>>;
  /** values that win over the environment (CLI flags, tests), per section */
  overrides?: ConfigInputOf<NoInfer<S>>;
  /** defaults of this entry point that the environment may still change (e.g. the CLI logs only warnings) */
  defaults?: ConfigInputOf<NoInfer<S>>;
}

/** A validated configuration and what the loader noticed on the way. */
export interface LoadedConfig<S extends SectionMap = typeof coreSections> {
  config: ConfigOf<S>;
  /** `LEGO_*` variables of a known section that name no setting (probably typos), for a warning */
  unknownEnv: string[];
}

type Json = Record<string, unknown>;

interface EnvSetting {
  name: string;
  path: readonly string[];
  type: EnvValueType;
}

/** Peel `.default()`, `.optional()`, `.nullable()` and friends off a schema. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current.def as { type: string; innerType?: z.ZodType };
    if (def.innerType !== undefined && ['default', 'optional', 'nullable', 'prefault', 'catch', 'readonly'].includes(def.type)) {
      current = def.innerType;
      continue;
    }
    return current;
  }
}

function valueType(schema: z.ZodType): EnvValueType {
  const type = (unwrap(schema).def as { type: string }).type;
  if (type === 'number' || type === 'int' || type === 'bigint') return 'number';
  if (type === 'boolean') return 'boolean';
  if (type === 'array') return 'list';
  return 'string';
}

/** Every setting of a section reachable by the generic naming, nested objects included. */
function envSettings(section: string, schema: z.ZodType, path: string[] = [], skip: readonly string[] = []): EnvSetting[] {
  const inner = unwrap(schema);
  if (!(inner instanceof z.ZodObject)) return [{ name: envName(section, path), path, type: valueType(schema) }];
  const out: EnvSetting[] = [];
  for (const [key, child] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
    if (path.length === 0 && skip.includes(key)) continue;
    out.push(...envSettings(section, child, [...path, key]));
  }
  return out;
}

function settingsOf(name: string, section: ConfigSection): EnvSetting[] {
  const aliases = Object.entries(section.aliases ?? {}).map(([env, alias]) => ({ name: env, path: alias.path, type: alias.type }));
  return [...aliases, ...envSettings(name, section.schema, [], section.skipEnv ?? [])];
}

/** Env text → value; text that does not convert is passed on as it is, for zod to name the problem. */
function coerce(text: string, type: EnvValueType): unknown {
  const trimmed = text.trim();
  switch (type) {
    case 'number': {
      if (trimmed === '') return text;
      const value = Number(trimmed.replace(/_/g, ''));
      return Number.isNaN(value) ? text : value;
    }
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
      if (['0', 'false', 'no', 'off'].includes(lower)) return false;
      return text;
    }
    case 'list':
      return trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim()).filter((item) => item !== '');
    case 'string':
      return trimmed;
  }
}

function setPath(target: Json, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Json;
  }
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge: `over` wins; undefined in `over` leaves `base` alone. */
function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? merge(current, value) : value;
  }
  return out;
}

function problem(sectionName: string, settings: readonly EnvSetting[], issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  const dotted = [sectionName, ...path].join('.');
  const exact = settings.find((s) => s.path.join('.') === path.join('.'));
  const env = exact?.name ?? envName(sectionName, path);
  let message = issue.message;
  if (issue.code === 'invalid_type' && /received undefined/.test(message)) message = 'required but not set';
  return `${dotted} (env ${env}): ${message}`;
}

/**
 * Read the configuration: schema defaults ← `defaults` ← environment (`LEGO_<SECTION>_<KEY>`) ← overrides, validated with
 * zod. Throws LegoError('config-invalid') naming every missing or invalid setting and its env name.
 */
export function loadConfig<S extends SectionMap = typeof coreSections>(options: LoadConfigOptions<S> = {}): LoadedConfig<S> {
  const sections: SectionMap = options.sections ?? coreSections;
  const defaults = options.defaults as Record<string, unknown> | undefined;
  const overrides = options.overrides as Record<string, unknown> | undefined;
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const config: Json = {};
  const known = new Set<string>();
  for (const [name, section] of Object.entries(sections) as [string, ConfigSection][]) {
    const settings = settingsOf(name, section);
    const base = defaults?.[name];
    let input: Json = isPlainObject(base) ? structuredClone(base) : {};
    for (const setting of settings) {
      known.add(setting.name);
      const text = env[setting.name];
      if (text === undefined || (text.trim() === '' && setting.type !== 'string')) continue;
      setPath(input, setting.path, coerce(text, setting.type));
    }
    const override = overrides?.[name];
    if (isPlainObject(override)) input = merge(input, override);
    if (section.settle !== undefined) {
      const settled = section.settle(input);
      input = settled.input;
      if (settled.problems.length > 0) {
        problems.push(...settled.problems);
        continue;
      }
    }
    const parsed = section.schema.safeParse(input);
    if (parsed.success) config[name] = parsed.data;
    else problems.push(...parsed.error.issues.map((issue) => problem(name, settings, issue)));
  }
  if (problems.length > 0) {
    throw new LegoError('config-invalid', `invalid configuration: ${problems.join('; ')}`, { details: { problems } });
  }
  const prefixes = Object.keys(sections).map((name) => envName(name, []) + '_');
  const unknownEnv = Object.keys(env).filter((key) => !known.has(key) && prefixes.some((p) => key.startsWith(p))).sort();
  return { config: config as ConfigOf<S>, unknownEnv };
}

/** Every environment variable the configuration reads, with its setting and description (for `--help` and docs). */
export function describeEnv(sections: SectionMap = coreSections): { env: string; setting: string; description: string }[] {
  const out: { env: string; setting: string; description: string }[] = [];
  for (const [name, section] of Object.entries(sections) as [string, ConfigSection][]) {
    for (const setting of settingsOf(name, section)) {
      out.push({ env: setting.name, setting: [name, ...setting.path].join('.'), description: describeAt(section.schema, setting.path) });
    }
  }
  return out;
}

function describeAt(schema: z.ZodType, path: readonly string[]): string {
  let node: z.ZodType | undefined = schema;
  for (const key of path) {
    const inner: z.ZodType | undefined = node === undefined ? undefined : unwrap(node);
    node = inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>)[key] : undefined;
  }
  return node?.description ?? (node === undefined ? undefined : unwrap(node).description) ?? '';
}
