import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONNECTION_CONFIG, WA_CERT_DETAILS } from 'baileys';
import { afterAll, describe, expect, it } from 'vitest';
import { settingsFromConfig, type ConnectionSettings } from '../../src/account/connection/settings.js';
import { ConfigError, loadConfig, type LoadConfigOptions } from '../../src/config/index.js';
import { generateKeyPair } from '../../src/protocol/crypto/index.js';
import { registrationPayload } from '../../src/protocol/pairing/index.js';
import { proto } from '../../src/protocol/proto/index.js';
import { generateSignedPreKey } from '../../src/protocol/signal/index.js';
import { DEFAULT_LIMITS } from '../../src/sim/limits.js';
import { decideLogin } from '../../src/sim/login.js';
import { Directory } from '../../src/sim/state.js';

const root = mkdtempSync(join(tmpdir(), 'wad-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** Writes a config file in its own directory and returns its path. */
function file(content: unknown, name = 'wad.json'): string {
  const dir = join(root, `c${n++}`);
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The registration payload an account with these settings sends. */
function registrationOf(s: ConnectionSettings): Uint8Array {
  const identity = generateKeyPair();
  const spk = generateSignedPreKey(identity, 1);
  return registrationPayload({ registrationId: 7, identityPub: identity.public, signedPreKey: { keyId: 1, public: spk.keyPair.public, signature: spk.signature } }, { version: s.webVersion(), history: s.history });
}

const devicePropsOf = (s: ConnectionSettings) => proto.DeviceProps.decode(proto.ClientPayload.decode(registrationOf(s)).devicePairingData!.deviceProps!);

/** What history the simulated server reads from that payload (its login decision). */
function registeredHistory(s: ConnectionSettings): unknown {
  const d = decideLogin(registrationOf(s), generateKeyPair().public, new Directory(DEFAULT_LIMITS));
  if (d.kind !== 'register') throw new Error(`not a registration: ${d.kind}`);
  return d.registration.history;
}

const load = (options: LoadConfigOptions = {}) => loadConfig({ env: {}, homeDir: '/home/u', cwd: '/work', ...options });

function issuesOf(options: LoadConfigOptions): Array<{ path: string; message: string; source: string }> {
  try {
    load(options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    return [...(err as ConfigError).issues];
  }
  throw new Error('expected the config to be refused');
}

describe('defaults', () => {
  it("point at WhatsApp's production server and root key (as Baileys has them)", () => {
    const c = load();
    expect(c.server.wsUrl).toBe(DEFAULT_CONNECTION_CONFIG.waWebSocketUrl.toString());
    expect(c.server.rootPublicKey).toBe(Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY).toString('hex'));
    expect(c.server.mediaCaPath).toBeNull();
    expect(c.connection.connectTimeoutMs).toBe(DEFAULT_CONNECTION_CONFIG.connectTimeoutMs);
    expect(c.connection.backoff.maxMs).toBe(900_000);
  });

  it('fetch the published Web build daily from web.whatsapp.com (where Baileys reads it) and ask for the recent history only', () => {
    const c = load();
    expect(c.server).toMatchObject({ webVersion: null, webVersionUrl: 'https://web.whatsapp.com/sw.js', webVersionRefreshMs: 86_400_000 });
    expect(c.history).toEqual({ fullSync: false, days: null, sizeMbLimit: null, storageQuotaMb: 10_240 });
    expect(registeredHistory(settingsFromConfig(c))).toEqual({ requireFullSync: false, inlineInitialPayload: true });
  });

  it('send history.fullSync, days and sizeMbLimit at pairing, where the server reads them from DeviceProps', () => {
    const at = (entries: Record<string, unknown>) => settingsFromConfig(load({ overrides: Object.entries(entries).map(([key, value]) => ({ key, value, source: 'test' })) }));
    const full = at({ 'history.fullSync': true, 'history.days': 400, 'history.sizeMbLimit': 512, 'history.storageQuotaMb': 2048 });
    expect(registeredHistory(full)).toEqual({ requireFullSync: true, inlineInitialPayload: true, fullSyncDaysLimit: 400, fullSyncSizeMbLimit: 512 });
    expect(devicePropsOf(full).historySyncConfig?.storageQuotaMb).toBe(2048);
    // Without a full sync, days bound the recent sync and a size limit means nothing.
    expect(registeredHistory(at({ 'history.days': 7, 'history.sizeMbLimit': 512 }))).toEqual({ requireFullSync: false, inlineInitialPayload: true, recentSyncDaysLimit: 7 });
    expect(issuesOf({ overrides: [{ key: 'history.days', value: 0, source: 'test' }] }).map((i) => i.path)).toEqual(['history.days']);
  });

  it('put the data directory under XDG_DATA_HOME or ~/.local/share, and the socket inside it', () => {
    expect(load()).toMatchObject({ dataDir: '/home/u/.local/share/wad', socket: '/home/u/.local/share/wad/wad.sock', listen: null, tokens: [] });
    expect(load({ env: { XDG_DATA_HOME: '/xdg' } }).dataDir).toBe('/xdg/wad');
  });

  it('returns a frozen object', () => {
    const c = load();
    expect(Object.isFrozen(c) && Object.isFrozen(c.server) && Object.isFrozen(c.connection.backoff)).toBe(true);
  });
});

describe('precedence: defaults < --config file < environment < flags', () => {
  it('merges objects key by key and lets each layer win over the one before', () => {
    const path = file({ dataDir: '/from-file', server: { wsUrl: 'ws://file:1/ws/chat' }, log: { level: 'debug' }, tokens: ['a'] });
    const c = load({ configPath: path });
    expect(c.dataDir).toBe('/from-file');
    expect(c.server.wsUrl).toBe('ws://file:1/ws/chat');
    expect(c.server.rootPublicKey).toBe(Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY).toString('hex'));
    expect(c.log.level).toBe('debug');
    expect(c.tokens).toEqual([{ token: 'a' }]);

    const env = { WAD_DATA_DIR: '/from-env', WAD_SERVER_WS_URL: 'ws://env:2/ws/chat', WAD_LOG_LEVEL: 'warn', WAD_SERVER_ROOT_KEY: 'AB'.repeat(32) };
    const e = load({ configPath: path, env });
    expect([e.dataDir, e.server.wsUrl, e.log.level, e.server.rootPublicKey]).toEqual(['/from-env', 'ws://env:2/ws/chat', 'warn', 'ab'.repeat(32)]);

    const f = load({ configPath: path, env, overrides: [{ key: 'dataDir', value: '/from-flag', source: '--data-dir' }] });
    expect(f.dataDir).toBe('/from-flag');
    expect(f.socket).toBe('/from-flag/wad.sock');
  });

  it('takes the socket and media CA from the environment', () => {
    const ca = file('-----BEGIN CERTIFICATE-----', 'ca.pem');
    const c = load({ env: { WAD_SOCKET: '/run/wad.sock', WAD_SERVER_MEDIA_CA: ca } });
    expect(c.socket).toBe('/run/wad.sock');
    expect(c.server.mediaCaPath).toBe(ca);
  });

  it('resolves relative paths against the config file, or the working directory for env and flags', () => {
    const path = file({ dataDir: 'data', socket: './run/wad.sock' });
    const dir = join(path, '..');
    expect(load({ configPath: path })).toMatchObject({ dataDir: join(dir, 'data'), socket: join(dir, 'run/wad.sock') });
    expect(load({ configPath: path, env: { WAD_DATA_DIR: 'envdata' } }).dataDir).toBe('/work/envdata');
    expect(load({ overrides: [{ key: 'dataDir', value: 'flagdata', source: '--data-dir' }] }).dataDir).toBe('/work/flagdata');
  });

  it('ignores empty environment variables', () => {
    expect(load({ env: { WAD_DATA_DIR: '', WAD_LOG_LEVEL: '' } }).log.level).toBe('info');
  });

  it('normalises tokens and parses listen', () => {
    const c = load({
      configPath: file({
        listen: '127.0.0.1:8080',
        tokens: ['plain', { token: 'scoped', expiresAt: '2030-01-01T00:00:00Z', accounts: ['acc1'] }, { token: 'ms', expiresAt: 5 }],
      }),
    });
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.tokens).toEqual([{ token: 'plain' }, { token: 'scoped', expiresAt: Date.UTC(2030, 0, 1), accounts: ['acc1'] }, { token: 'ms', expiresAt: 5 }]);
    expect(load({ configPath: file({ listen: '[::1]:0', tokens: ['t'] }) }).listen).toEqual({ host: '::1', port: 0 });
  });

  it('allows comment keys', () => {
    expect(() => load({ configPath: file({ '//': 'note', $schema: 'x', server: { '// why': 'sim' } }) })).not.toThrow();
  });
});

describe('validation errors name the key, the expected type and the source', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['dataDir', 5, 'dataDir', /expected a non-empty string, got 5/],
    ['dataDir', '', 'dataDir', /expected a non-empty string, got ""/],
    ['socket', [], 'socket', /expected a non-empty string/],
    ['listen', 'localhost', 'listen', /expected host:port/],
    ['listen', '1.2.3.4:70000', 'listen', /expected host:port/],
    ['tokens', 'abc', 'tokens', /expected a list, got "abc"/],
    ['tokens', [''], 'tokens[0]', /expected a non-empty token/],
    ['tokens', [7], 'tokens[0]', /expected a token string or/],
    ['tokens', [{ token: 'x', expiresAt: 'soon' }], 'tokens[0].expiresAt', /expected unix ms or an ISO date/],
    ['tokens', [{ token: 'x', accounts: 'acc1' }], 'tokens[0].accounts', /expected a list/],
    ['tokens', [{ token: 'x', tokn: 'y' }], 'tokens[0].tokn', /unknown key \(did you mean "token"\?\)/],
    ['server', { wsUrl: 'http://x/ws' }, 'server.wsUrl', /expected a ws:\/\/ or wss:\/\/ URL, got "http:\/\/x\/ws"/],
    ['server', { wsUrl: 'not a url' }, 'server.wsUrl', /ws:\/\/ or wss:\/\/ URL/],
    ['server', { rootPublicKey: 'abcd' }, 'server.rootPublicKey', /expected 64 hex characters/],
    ['server', { mediaCaPath: '/nonexistent/ca.pem' }, 'server.mediaCaPath', /file not found/],
    ['server', 'wss://x', 'server', /expected an object, got "wss:\/\/x"/],
    ['server', { webVersion: '2.3000' }, 'server.webVersion', /expected a Web build "2.3000.<build>"/],
    ['server', { webVersionUrl: 'ftp://x/sw.js' }, 'server.webVersionUrl', /expected an http:\/\/ or https:\/\/ URL/],
    ['history', { fullSync: 'yes' }, 'history.fullSync', /expected/],
    ['log', { level: 'loud' }, 'log.level', /expected one of fatal, error, warn, info, debug, trace, silent, got "loud"/],
    ['accounts', { maxAccounts: 0 }, 'accounts.maxAccounts', /expected an integer from 1 to 100000, got 0/],
    ['accounts', { maxAccounts: 1.5 }, 'accounts.maxAccounts', /expected an integer/],
    ['accounts', { autoStart: 'yes' }, 'accounts.autoStart', /expected true or false, got "yes"/],
    ['accounts', { sendRate: { perSecond: -1 } }, 'accounts.sendRate.perSecond', /expected a number from 0.01 to 10000, got -1/],
    ['accounts', { restart: { withinMs: null } }, 'accounts.restart.withinMs', /expected an integer from 1 to/],
    ['events', { retention: { maxEvents: '10' } }, 'events.retention.maxEvents', /got "10"/],
    ['ipc', { maxFrameBytes: 10 }, 'ipc.maxFrameBytes', /expected an integer from 1024/],
    ['ipc', { maxConnectionsPerPeer: 0 }, 'ipc.maxConnectionsPerPeer', /expected an integer from 1/],
    ['ipc', { maxHandshakes: 'many' }, 'ipc.maxHandshakes', /expected an integer from 1/],
    ['ipc', { handshakeTimeoutMs: 10 }, 'ipc.handshakeTimeoutMs', /expected an integer from 100 to 600000, got 10/],
    ['ipc', { idleTimeoutMs: 1.5 }, 'ipc.idleTimeoutMs', /expected an integer from 1000/],
    ['ipc', { fdReserve: -1 }, 'ipc.fdReserve', /expected an integer from 0/],
    ['connection', { connectTimeoutMs: 'fast' }, 'connection.connectTimeoutMs', /expected an integer/],
    ['connection', { backoff: { jitter: 2 } }, 'connection.backoff.jitter', /expected a number from 0 to 1, got 2/],
    ['connection', { backoff: { initialMs: 5000, maxMs: 1000 } }, 'connection.backoff.initialMs', /must not exceed connection.backoff.maxMs/],
    ['connection', { keepAliveIntervalMs: 5000, keepAliveJitterMs: 5000 }, 'connection.keepAliveJitterMs', /must be less than/],
    ['store', { sync: 1 }, 'store.sync', /expected true or false, got 1/],
    ['dataDri', '/x', 'dataDri', /unknown key \(did you mean "dataDir"\?\)/],
    ['colour', 'red', 'colour', /^unknown key$/],
  ];

  it.each(cases)('%s = %j → %s', (key, value, path, message) => {
    const configPath = file({ [key]: value });
    const issues = issuesOf({ configPath });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe(path);
    expect(issues[0]!.message).toMatch(message);
    expect(issues[0]!.source).toBe(configPath);
  });

  it('listen without a token is refused', () => {
    expect(issuesOf({ configPath: file({ listen: '127.0.0.1:1' }) })).toMatchObject([{ path: 'tokens', message: /required when "listen" is set/ }]);
  });

  it('names the environment variable or flag a bad value came from, and reports every issue at once', () => {
    const configPath = file({ log: { level: 'nope' } });
    let error: ConfigError | undefined;
    try {
      load({
        configPath,
        env: { WAD_SERVER_WS_URL: 'https://web.whatsapp.com', WAD_SERVER_ROOT_KEY: 'zz' },
        overrides: [{ key: 'socket', value: 3, source: '--socket' }],
      });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.issues.map((i) => [i.path, i.source])).toEqual([
      ['socket', '--socket'],
      ['server.wsUrl', 'WAD_SERVER_WS_URL'],
      ['server.rootPublicKey', 'WAD_SERVER_ROOT_KEY'],
      ['log.level', configPath],
    ]);
    expect(error?.message).toMatch(/^invalid configuration: socket \(from --socket\): expected a non-empty string, got 3; server\.wsUrl \(from WAD_SERVER_WS_URL\)/);
    expect(error?.message).not.toContain('\n');
  });

  it('store.backend "postgres" needs store.url, a postgres:// URL, from a file or WAD_STORE_URL', () => {
    expect(issuesOf({ configPath: file({ store: { backend: 'postgres' } }) })).toMatchObject([{ path: 'store.url', message: /required when store.backend is "postgres"/ }]);
    expect(issuesOf({ env: { WAD_STORE_BACKEND: 'postgres', WAD_STORE_URL: 'mysql://x' } })).toMatchObject([{ path: 'store.url', source: 'WAD_STORE_URL', message: /postgres:\/\/ URL/ }]);
    expect(issuesOf({ configPath: file({ store: { backend: 'sqlite' } }) })).toMatchObject([{ path: 'store.backend' }]);
    const c = load({ env: { WAD_STORE_BACKEND: 'postgres', WAD_STORE_URL: 'postgres://wad@127.0.0.1:5432/wad' } });
    expect(c.store).toMatchObject({ backend: 'postgres', url: 'postgres://wad@127.0.0.1:5432/wad', maxConnections: 10 });
    expect(load().store.backend).toBe('level');
  });

  it('refuses a socket path too long for a Unix socket', () => {
    expect(issuesOf({ env: { WAD_DATA_DIR: `/${'d'.repeat(120)}` } })).toMatchObject([{ path: 'dataDir', source: 'WAD_DATA_DIR', message: /Unix sockets allow 107/ }]);
  });

  it('a bad value in the defaults file is reported against that file', () => {
    const defaultsPath = file({ log: { level: 'verbose' } });
    expect(issuesOf({ defaultsPath })).toContainEqual({ path: 'log.level', source: defaultsPath, message: expect.stringMatching(/verbose/) });
  });
});

describe('config files that cannot be used', () => {
  const codeOf = (options: LoadConfigOptions): string => {
    try {
      load(options);
    } catch (err) {
      return (err as ConfigError).code;
    }
    return 'none';
  };

  it('missing, unreadable, not JSON, not an object', () => {
    expect(codeOf({ configPath: join(root, 'missing.json') })).toBe('CONFIG_NOT_FOUND');
    expect(codeOf({ configPath: root })).toBe('CONFIG_UNREADABLE');
    expect(codeOf({ configPath: file('{ "dataDir": ') })).toBe('CONFIG_SYNTAX');
    expect(codeOf({ configPath: file('[1, 2]') })).toBe('CONFIG_SYNTAX');
    expect(codeOf({ configPath: file('null') })).toBe('CONFIG_SYNTAX');
  });

  it('the shipped config/default.json is valid on its own', () => {
    expect(() => loadConfig({ env: {} })).not.toThrow();
  });
});
