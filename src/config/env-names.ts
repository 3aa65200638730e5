/**
 * How settings are named in the environment: `LEGO_<SECTION>_<KEY>` in upper snake case, nested keys
 * joined by `_` (`engine.generation.maxNewTokens` → `LEGO_ENGINE_GENERATION_MAX_NEW_TOKENS`).
 */

/** `maxImageBytes` → `MAX_IMAGE_BYTES`. */
export function upperSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/** The environment variable of a setting: `envName('web', ['port'])` → `LEGO_WEB_PORT`. */
export function envName(section: string, path: readonly string[]): string {
  return ['LEGO', upperSnake(section), ...path.map(upperSnake)].join('_');
}
