/**
 * The daemon's logger, written to stderr: JSON lines for machines (a pipe,
 * a file, a log collector), readable lines for a person at a terminal.
 * `auto` decides by whether stderr is a terminal; colour only there, and
 * never when NO_COLOR is set (any value, as no-color.org asks).
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../config/schema.js';

export interface LoggerSetting {
  readonly level: LogLevel;
  readonly format?: LogFormat;
}

/** What the choice depends on, from the process unless a caller says otherwise. */
export interface LoggerTerminal {
  /** Whether stderr is a terminal. */
  readonly isTTY?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/** Whether logs come out as readable lines, and in colour. */
export function logStyle(setting: LoggerSetting, term: LoggerTerminal = {}): { pretty: boolean; colour: boolean } {
  const isTTY = term.isTTY ?? process.stderr.isTTY === true;
  const env = term.env ?? process.env;
  const readable = setting.format === 'pretty' || ((setting.format ?? 'auto') === 'auto' && isTTY);
  const noColour = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  return { pretty: readable, colour: readable && isTTY && !noColour };
}

/** The daemon's logger on fd 2 (or `fd`), in the format the setting and the terminal call for. */
export function daemonLogger(setting: LoggerSetting, term: LoggerTerminal & { fd?: number; sync?: boolean } = {}): Logger {
  const style = logStyle(setting, term);
  const fd = term.fd ?? 2;
  const base = { level: setting.level, base: { pid: process.pid } };
  if (!style.pretty) return pino(base, pino.destination({ fd, sync: term.sync ?? false }));
  // Readable lines: time of day, level, message, then the fields; pid and host say nothing at a terminal.
  return pino(base, pretty({ destination: fd, sync: term.sync ?? false, colorize: style.colour, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
}
