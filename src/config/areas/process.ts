/** The daemon's process: how it logs, and how far its heap may grow. */
import { int, object, oneOf } from '../checks.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** How logs are written: `auto` is readable lines on a terminal and JSON lines elsewhere. */
export type LogFormat = 'auto' | 'json' | 'pretty';

export interface LogConfig {
  readonly level: LogLevel;
  /** Default `auto`: readable lines (coloured unless NO_COLOR is set) when stderr is a terminal, else JSON lines. */
  readonly format?: LogFormat;
}

export interface MemoryConfig {
  /**
   * The daemon's process only: how far (percent) the JavaScript heap may
   * grow past what the last full collection kept before the next one.
   * 0 leaves V8's own choice (up to 300 %, which lets a burst such as a
   * history sync take several times the live heap in RSS).
   */
  readonly heapGrowthPercent: number;
}

export const logSchema = object({ level: oneOf<LogLevel>(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), format: oneOf<LogFormat>(['auto', 'json', 'pretty']) }, { optional: ['format'] });

export const memorySchema = object({ heapGrowthPercent: int(0, 300) });
