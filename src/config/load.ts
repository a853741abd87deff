/**
 * Loads the configuration: `config/default.json`, then the file given with
 * `--config`, then environment variables, then command-line overrides (each
 * layer wins over the one before; objects merge key by key, lists replace).
 * Relative paths in a file resolve against that file's directory, in the
 * environment and on the command line against the working directory. The
 * result is validated as a whole: every problem is reported, each naming the
 * key, what was expected and where the value came from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INVALID, type RawIssue } from './checks.js';
import { defaultDataDir } from '../contract/paths.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { configSchema, crossChecks, type Config } from './schema.js';

/** Environment variables and the key each one sets. */
export const ENV_KEYS: Readonly<Record<string, string>> = Object.freeze({
  WAD_DATA_DIR: 'dataDir',
  WAD_SOCKET: 'socket',
  WAD_SERVER_WS_URL: 'server.wsUrl',
  WAD_SERVER_ROOT_KEY: 'server.rootPublicKey',
  WAD_SERVER_MEDIA_CA: 'server.mediaCaPath',
  WAD_SERVER_WEB_VERSION: 'server.webVersion',
  WAD_SERVER_WEB_VERSION_URL: 'server.webVersionUrl',
  WAD_LOG_LEVEL: 'log.level',
  WAD_LOG_FORMAT: 'log.format',
  WAD_HTTP_LISTEN: 'http.listen',
  WAD_STORE_BACKEND: 'store.backend',
  WAD_STORE_URL: 'store.url',
  WAD_CLUSTER_SECRET: 'cluster.secret',
});

/** Keys holding file-system paths (resolved against their layer's directory). */
const PATH_KEYS = ['dataDir', 'socket', 'server.mediaCaPath'];

/** Linux allows 108 bytes in sun_path, including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

export interface ConfigOverride {
  /** Dotted key, e.g. `dataDir`. */
  readonly key: string;
  readonly value: unknown;
  /** Shown in errors, e.g. `--data-dir`. */
  readonly source: string;
}

export interface LoadConfigOptions {
  /** The file given with --config. */
  readonly configPath?: string | undefined;
  /** Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Command-line flags, highest precedence. */
  readonly overrides?: readonly ConfigOverride[];
  /** Default: process.cwd(). */
  readonly cwd?: string;
  /** Default: the package's config/default.json. */
  readonly defaultsPath?: string;
  /** Default: os.homedir() (for the default data directory). */
  readonly homeDir?: string;
}

type Json = Record<string, unknown>;

export const DEFAULTS_PATH = fileURLToPath(new URL('../../config/default.json', import.meta.url));

/**
 * @throws ConfigError CONFIG_NOT_FOUND, CONFIG_UNREADABLE, CONFIG_SYNTAX, CONFIG_INVALID
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const defaultsPath = options.defaultsPath ?? DEFAULTS_PATH;
  const merged: Json = {};
  const sources = new Map<string, string>();

  mergeLayer(merged, readJson(defaultsPath), dirname(defaultsPath), defaultsPath, sources);
  if (options.configPath !== undefined) {
    const file = resolve(cwd, options.configPath);
    if (!existsSync(file)) throw new ConfigError('CONFIG_NOT_FOUND', `config file not found: ${file}`);
    mergeLayer(merged, readJson(file), dirname(file), file, sources);
  }
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') setKey(merged, key, value, cwd, name, sources);
  }
  for (const o of options.overrides ?? []) setKey(merged, o.key, o.value, cwd, o.source, sources);

  const issues: RawIssue[] = [];
  const raw = configSchema(merged, '', issues);
  if (raw !== INVALID) crossChecks(raw, issues);
  if (raw === INVALID || issues.length > 0) throw invalid(issues, sources);

  const dataDir = raw.dataDir ?? defaultDataDir(env, options.homeDir ?? homedir());
  const socket = raw.socket ?? join(dataDir, 'wad.sock');
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH_BYTES) {
    issues.push({ path: raw.socket ? 'socket' : 'dataDir', message: `socket path ${socket} is ${Buffer.byteLength(socket)} bytes; Unix sockets allow ${MAX_SOCKET_PATH_BYTES}` });
  }
  const mediaCaPath = raw.server.mediaCaPath;
  if (mediaCaPath !== null && !existsSync(mediaCaPath)) issues.push({ path: 'server.mediaCaPath', message: `file not found: ${mediaCaPath}` });
  if (issues.length > 0) throw invalid(issues, sources);

  // Files a path send may name: by default what the user owns and shares (home, temp dir), never more.
  const allowedRoots = raw.media.allowedRoots ?? [options.homeDir ?? homedir(), tmpdir()];
  return deepFreeze({ ...raw, dataDir, socket, server: { ...raw.server, mediaCaPath }, media: { allowedRoots } });
}

/** `$XDG_DATA_HOME/wad`, else `~/.local/share/wad`. */
export { defaultDataDir };

function readJson(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'CONFIG_NOT_FOUND' : 'CONFIG_UNREADABLE';
    throw new ConfigError(code, `cannot read config file ${file}: ${(err as Error).message}`, [], { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('CONFIG_SYNTAX', `config file ${file} is not valid JSON: ${(err as Error).message}`, [], { cause: err });
  }
  if (!isPlainObject(value)) throw new ConfigError('CONFIG_SYNTAX', `config file ${file} must hold a JSON object at the top level`);
  return value;
}

function mergeLayer(target: Json, layer: Json, baseDir: string, source: string, sources: Map<string, string>, prefix = ''): void {
  for (const [k, v] of Object.entries(layer)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v) && isPlainObject(target[k])) {
      mergeLayer(target[k] as Json, v, baseDir, source, sources, key);
    } else {
      target[k] = resolvePath(key, structuredClone(v), baseDir);
      forget(sources, key);
      sources.set(key, source);
    }
  }
}

function setKey(target: Json, key: string, value: unknown, baseDir: string, source: string, sources: Map<string, string>): void {
  const parts = key.split('.');
  let node = target;
  for (const p of parts.slice(0, -1)) {
    if (!isPlainObject(node[p])) node[p] = {};
    node = node[p] as Json;
  }
  node[parts.at(-1)!] = resolvePath(key, value, baseDir);
  forget(sources, key);
  sources.set(key, source);
}

function resolvePath(key: string, value: unknown, baseDir: string): unknown {
  return PATH_KEYS.includes(key) && typeof value === 'string' && value !== '' ? resolve(baseDir, value) : value;
}

function forget(sources: Map<string, string>, key: string): void {
  for (const k of sources.keys()) if (k.startsWith(`${key}.`) || k.startsWith(`${key}[`)) sources.delete(k);
}

/** The source of a key: its own, or that of the nearest enclosing key that was set whole. */
function sourceOf(path: string, sources: Map<string, string>): string {
  for (let p = path; p; p = p.replace(/(\.[^.[]*|\[\d+\])$/, '')) {
    const s = sources.get(p);
    if (s !== undefined) return s;
    if (!/[.[]/.test(p)) break;
  }
  return 'defaults';
}

function invalid(raw: RawIssue[], sources: Map<string, string>): ConfigError {
  const issues: ConfigIssue[] = raw.map((i) => ({ ...i, source: sourceOf(i.path, sources) }));
  const text = issues.map((i) => `${i.path || '(top level)'} (from ${i.source}): ${i.message}`).join('; ');
  return new ConfigError('CONFIG_INVALID', `invalid configuration: ${text}`, issues);
}

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}
