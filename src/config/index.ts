/**
 * wad's configuration: defaults, --config file, environment, flags; validated
 * with errors that name the key, the expected type and the value's origin.
 */
export { loadConfig, defaultDataDir, ENV_KEYS, DEFAULTS_PATH, type LoadConfigOptions, type ConfigOverride } from './load.js';
export { configForSimulator, type SimulatorEndpoints } from './simulator.js';
export { ConfigError, type ConfigErrorCode, type ConfigIssue } from './errors.js';
export type { Config, LogLevel, RateConfig, TokenConfig, WebhookConfig } from './schema.js';
