// Must-show (issue 6): an account links by QR and another by pairing code
// through the simulator's phones; both reach online; a daemon restart brings
// both back online without re-linking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimHandle } from '../../src/sim/index.js';
import { admin, daemonFor, linkByCode, linkByQr, recorder, sim, tempDir } from './support/daemon.js';

describe('linking through wad sim', () => {
  let s: SimHandle;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    s = await sim();
    dir = await tempDir('wad-e2e-link-');
    await admin(s, 'POST', '/phones', { phone: '15550001001', name: 'Alice' });
    await admin(s, 'POST', '/phones', { phone: '15550001002', name: 'Bob' });
  });
  afterAll(async () => {
    await s?.close();
    await dir?.remove();
  });

  it('links by QR and by pairing code, then a restart logs both in again', async () => {
    const d1 = await daemonFor(s, dir.path);
    const rec = recorder(d1);
    try {
      await linkByQr(s, d1, 'alice', '15550001001');
      await linkByCode(s, d1, 'bob', '15550001002');
      const a = d1.accountStatus('alice');
      expect(a).toMatchObject({ state: 'online' });
      expect(a.jid).toMatch(/^15550001001:\d+@s\.whatsapp\.net$/);
      expect(a.lid).toMatch(/@lid$/);
      expect(d1.accountStatus('bob').jid).toMatch(/^15550001002:\d+@s\.whatsapp\.net$/);
      const devices = await admin<Array<{ jid: string }>>(s, 'GET', '/phones/15550001002/devices');
      expect(devices.map((x) => x.jid)).toContain(d1.accountStatus('bob').jid);
      // Pairing by code showed the code in a qr update; linking went through 515 and a fresh login.
      expect(rec.events.some((e) => e.account === 'bob' && e.data.state === 'qr' && typeof e.data.pairCode === 'string')).toBe(true);
      expect(rec.states('alice')).toEqual(['connecting', 'qr', 'connecting', 'online']);
    } finally {
      rec.stop();
      await d1.stop();
    }

    const d2 = await daemonFor(s, dir.path);
    const rec2 = recorder(d2);
    try {
      await d2.accounts.waitFor('alice', (st) => st.state === 'online', 15_000);
      await d2.accounts.waitFor('bob', (st) => st.state === 'online', 15_000);
      expect(rec2.events.filter((e) => e.data.state === 'qr')).toEqual([]);
      expect(d2.listAccounts().map((x) => x.id).sort()).toEqual(['alice', 'bob']);
      // The durable log kept growing across the restart.
      const events = await d2.readEvents('alice', 0, 100);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => events[0]!.seq + i));
      expect(events.at(-1)!.data.state).toBe('online');
    } finally {
      rec2.stop();
      await d2.stop();
    }
  });
});
