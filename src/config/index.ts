/** The configuration: one schema per section, validated once at start-up; only loadConfig reads process.env. */
export { loadConfig, describeEnv } from './load-config';
export type { LoadConfigOptions, LoadedConfig } from './load-config';
export { coreSections } from './schema';
export type { ConfigInputOf, ConfigOf, LegoConfig, LegoConfigInput, SectionMap, SectionName } from './schema';
export { defineSection } from './section';
export type { ConfigSection, EnvAlias, EnvValueType } from './section';
export { envName, upperSnake } from './env-names';
export { EngineConfigSchema, GenerationConfigSchema } from './engine';
export type { EngineConfig, GenerationConfig } from './engine';
export { RenderConfigSchema } from './render';
export type { RenderConfig } from './render';
export { LoggingConfigSchema } from './logging';
export type { LoggingConfig } from './logging';
export { BotConfigSchema } from './bot';
export type { BotConfig } from './bot';
