// createDaemon wired end to end on the in-memory fake server: the control
// socket, DaemonApi account and event calls, messaging forwarded by name with
// the contract's error codes, one daemon per data dir.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCreds } from '../../src/account/creds.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createDaemon, type Daemon } from '../../src/daemon/index.js';
import { Store } from '../../src/store/index.js';
import { FakeServer } from '../account/support/fake-server.js';
import { silent } from '../account/support/harness.js';

let dir: string;
let config: Config;
const server = new FakeServer();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wad-daemon-test-'));
  config = loadConfig({
    env: {},
    overrides: [
      ['dataDir', dir],
      ['server.wsUrl', 'ws://fake/ws/chat'],
      ['server.rootPublicKey', Buffer.from(server.rootPublicKey).toString('hex')],
    ].map(([key, value]) => ({ key: key!, value, source: 'test' })),
  });
  // One linked account in the store before the daemon starts.
  const store = await Store.open(dir);
  await store.putAccount({ id: 'acc', createdAt: 1, config: {} });
  await (await store.account('acc')).transaction((tx) => tx.creds.set({ ...newCreds(), registered: true, me: { id: '15550009999:4@s.whatsapp.net' } }));
  await store.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createDaemon', () => {
  let d: Daemon;
  beforeAll(async () => {
    d = await createDaemon(config, {
      logger: silent,
      transport: server.transport,
      pool: { inline: 'all' },
    });
    await d.accounts.waitFor('acc', (s) => s.state === 'online', 5000);
    // The online event and our LID (from <success>) are written right after.
    for (let i = 0; i < 200; i++) {
      const events = await d.readEvents('acc', 0, 10);
      if (events.at(-1)?.data.state === 'online' && (await d.store.account('acc')).creds?.me?.lid) break;
      await new Promise((r) => setTimeout(r, 10));
    }
  });
  afterAll(async () => {
    await d?.stop();
  });

  it('serves the control socket (0600) and starts saved accounts', async () => {
    expect(d.socketPath).toBe(join(dir, 'wad.sock'));
    expect((await stat(d.socketPath)).mode & 0o777).toBe(0o600);
    expect(d.listAccounts()).toEqual([expect.objectContaining({ id: 'acc', state: 'online', jid: '15550009999:4@s.whatsapp.net' })]);
  });

  it("calls the running account's messaging and media, with contract error codes", async () => {
    const account = d.accounts.running('acc')!;
    expect(account.id).toBe('acc');
    expect(d.accountStatus('acc')).toMatchObject({ jid: '15550009999:4@s.whatsapp.net' });
    expect((await d.store.account('acc')).creds?.me).toMatchObject({ id: '15550009999:4@s.whatsapp.net', lid: '99887766:3@lid' });
    await expect(d.sendMessage('acc', 'not a jid', { type: 'text', content: 'hi' })).rejects.toMatchObject({ name: 'DaemonError', code: 'INVALID_PAYLOAD', details: { messaging: 'BAD_JID' } });
    await expect(d.editMessage('acc', '1555@s.whatsapp.net', 'NOPE', 'x')).rejects.toMatchObject({ name: 'DaemonError', code: 'NOT_FOUND', details: { messaging: 'NOT_FOUND' } });
    await expect(d.downloadMedia('acc', '1555@s.whatsapp.net', 'NOPE')).rejects.toMatchObject({ name: 'DaemonError', code: 'NOT_FOUND', details: { media: 'NO_MESSAGE' } });
    await expect(d.sendMessage('nobody', '1555@s.whatsapp.net', { type: 'text', content: 'hi' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reads the durable log, cursors and acks', async () => {
    const events = await d.readEvents('acc', 0, 100);
    expect(events.map((e) => e.data.state)).toEqual(['connecting', 'online']);
    expect(await d.firstRetainedSeq('acc')).toBe(1);
    expect(await d.subscriberCursor('sub', 'acc')).toBe(0);
    await d.ackEvents('sub', 'acc', 1);
    expect(await d.subscriberCursor('sub', 'acc')).toBe(1);
    await expect(d.readEvents('ghost', 0, 10)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('logs every account as stopped when it stops, before the store closes', async () => {
    const other = await createDaemon({ ...config, dataDir: join(dir, 'second'), socket: join(dir, 'second.sock') }, { logger: silent, transport: server.transport, ipc: false });
    await other.addAccount('x', {});
    await other.accounts.waitFor('x', (s) => s.state === 'qr', 5000);
    await other.stop();
    const store = await Store.open(join(dir, 'second'));
    const events = await (await store.account('x')).events.read(0, 100);
    expect(events.at(-1)).toMatchObject({ type: 'connection:update', data: { d: { state: 'stopped', reason: 'stopped' } } });
    await store.close();
  });

  it('refuses a second daemon on the same data dir', async () => {
    await expect(createDaemon(config, { logger: silent, transport: server.transport, ipc: false })).rejects.toMatchObject({ code: 'OPEN_FAILED' });
  });
});
