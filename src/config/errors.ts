/** Errors of configuration loading: loadConfig documents which it throws. */
export type ConfigErrorCode =
  /** The file given with --config does not exist. */
  | 'CONFIG_NOT_FOUND'
  /** A config file exists but cannot be read. */
  | 'CONFIG_UNREADABLE'
  /** A config file is not valid JSON, or its top level is not an object. */
  | 'CONFIG_SYNTAX'
  /** One or more keys have a wrong type or value: `issues` lists every one. */
  | 'CONFIG_INVALID';

export interface ConfigIssue {
  /** Dotted key path (`server.wsUrl`, `tokens[1].token`). */
  readonly path: string;
  /** What was expected and what was found. */
  readonly message: string;
  /** Where the value came from: a file path, an environment variable, a command-line flag. */
  readonly source: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
    readonly issues: readonly ConfigIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
