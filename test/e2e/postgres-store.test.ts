// The daemon on the PostgreSQL store: an account linked through the simulator
// is kept in the database, not under the data dir, and a daemon started again
// on that database brings it back online without re-linking, its event log
// and a subscriber's cursor intact.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimHandle } from '../../src/sim/index.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { admin, daemonFor, linkByQr, nextEvent, sim as startSim, tempDir } from './support/daemon.js';

const W = '15550023001';
let s: SimHandle;
let postgres: TestPostgres;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  [s, postgres, dir] = await Promise.all([startSim(), startPostgres(), tempDir('wad-e2e-pg-')]);
  await admin(s, 'POST', '/phones', { phone: W, name: 'Wad' });
}, 60_000);

afterAll(async () => {
  await s?.close();
  await postgres?.stop();
  await dir?.remove();
});

describe('the daemon on PostgreSQL', () => {
  it('keeps a linked account in the database: a restarted daemon is online again without re-linking', async () => {
    const over: Array<[string, unknown]> = [
      ['store.backend', 'postgres'],
      ['store.url', postgres.url],
    ];
    const first = await daemonFor(s, dir.path, over);
    await linkByQr(s, first, 'w', W);
    const jid = first.accountStatus('w').jid;
    const lastSeq = (await first.readEvents('w', 1, 1000)).at(-1)!.seq;
    await first.ackEvents('consumer', 'w', lastSeq);
    await first.stop();
    expect(existsSync(join(dir.path, 'store'))).toBe(false);

    const again = await daemonFor(s, dir.path, over);
    try {
      if (again.accountStatus('w').state !== 'online') await nextEvent(again, 'w', (e) => e.type === 'connection:update' && e.data.state === 'online');
      expect(again.accountStatus('w').jid).toBe(jid);
      expect(await again.subscriberCursor('consumer', 'w')).toBe(lastSeq);
      const events = await again.readEvents('w', 1, 1000);
      expect(events.slice(0, lastSeq).map((e) => e.seq)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    } finally {
      await again.stop();
    }
    const rows = await postgres.query<{ n: string }>("SELECT count(*) AS n FROM kv WHERE k >= 'a/w/'::bytea AND k < 'a/w0'::bytea");
    expect(Number(rows[0]!.n)).toBeGreaterThan(10); // creds, keys, events: the account's records are rows
  });
});
