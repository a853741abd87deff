// A store is created once per data dir and never silently again: a lost
// CURRENT file, a deleted store dir or another data dir's store are refused
// with a typed error; `check` reports damage per account without writing;
// `repair` brings LevelDB back and deals with every undecodable record,
// reporting each step.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LevelBackend } from '../../src/store/backend/level.js';
import { checkStore, repairStore, Store, StoreError } from '../../src/store/index.js';
import { key, utf8 } from '../../src/store/keys.js';
import { dump, makeCreds } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wad-opening-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Three accounts with creds, events and a cursor, then the store closed. */
async function populate(): Promise<void> {
  const store = await Store.open(dir);
  for (const [i, id] of ['alice', 'bob', 'carol'].entries()) {
    await store.putAccount({ id, createdAt: 1000 + i, config: { phone: `1555000${i}` } });
    const a = await store.account(id);
    await a.transaction((tx) => {
      tx.creds.set(makeCreds(i + 1));
      tx.events.append([1, 2, 3].map((n) => ({ type: 'message:new', t: n, data: { d: { n } } })));
      tx.events.ack('app', 2);
    });
  }
  await store.close();
}

/** Writes raw bytes under a key, as damage on disk would leave them. */
async function damage(entries: Array<[string | Uint8Array, Uint8Array]>): Promise<void> {
  const db = await LevelBackend.open(join(dir, 'store'));
  await db.batch(entries.map(([k, value]) => ({ type: 'put' as const, key: typeof k === 'string' ? utf8(k) : k, value })));
  await db.close();
}

const garbage = Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 7);

describe('opening the store', () => {
  it('creates a store in a new data dir, writes the marker, and opens the same store again', async () => {
    const first = await Store.open(dir);
    expect(first.origin).toBe('created');
    await first.putAccount({ id: 'x', createdAt: 1, config: {} });
    await first.close();
    expect(await readdir(dir)).toContain('store.json');
    const again = await Store.open(dir);
    expect(again.origin).toBe('opened');
    expect((await again.listAccounts()).map((a) => a.id)).toEqual(['x']);
    await again.close();
  });

  it('refuses a store that lost its CURRENT file, creating nothing, and repair brings every record back', async () => {
    await populate();
    const before = await Store.open(dir);
    const records = await dump(before.backend);
    await before.close();
    await unlink(join(dir, 'store', 'CURRENT'));
    const files = (await readdir(join(dir, 'store'))).sort();
    await expect(Store.open(dir)).rejects.toMatchObject({ code: 'STORE_DAMAGED', message: expect.stringMatching(/CURRENT.*wad store repair/) });
    // Nothing was created in its place: the same files, still no CURRENT.
    expect((await readdir(join(dir, 'store'))).sort()).toEqual(files);
    await expect(checkStore(dir)).rejects.toMatchObject({ code: 'STORE_DAMAGED' });

    const repaired = await repairStore(dir);
    expect(repaired.actions.map((a) => a.action)).toContain('leveldb-repair');
    expect(repaired.after.ok).toBe(true);
    const after = await Store.open(dir);
    expect(await dump(after.backend)).toEqual(records);
    await after.close();
  });

  it('refuses a data dir whose store directory is gone (the marker says there was one)', async () => {
    await populate();
    await rm(join(dir, 'store'), { recursive: true });
    await expect(Store.open(dir)).rejects.toMatchObject({ code: 'STORE_MISSING' });
    expect(await readdir(dir)).not.toContain('store');
  });

  it("refuses another data dir's store", async () => {
    await populate();
    const other = await mkdtemp(join(tmpdir(), 'wad-opening-other-'));
    try {
      await (await Store.open(other)).close();
      await rm(join(dir, 'store'), { recursive: true });
      const { rename } = await import('node:fs/promises');
      await rename(join(other, 'store'), join(dir, 'store'));
      await expect(Store.open(dir)).rejects.toMatchObject({ code: 'STORE_DAMAGED', message: expect.stringMatching(/not the one created for this data dir/) });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('adopts a store from before the marker: opened as it is, then marked', async () => {
    await populate();
    await unlink(join(dir, 'store.json'));
    const adopted = await Store.open(dir);
    expect(adopted.origin).toBe('adopted');
    expect((await adopted.listAccounts()).map((a) => a.id)).toEqual(['alice', 'bob', 'carol']);
    await adopted.close();
    expect((await Store.open(dir).then(async (s) => (await s.close(), s.origin)))).toBe('opened');
  });

  it('a first creation cut short (no CURRENT, nothing stored, no marker) is created again; a pre-marker store with records is not', async () => {
    const location = join(dir, 'store');
    await (await LevelBackend.open(location, { createIfMissing: true })).close();
    await unlink(join(location, 'CURRENT'));
    const created = await Store.open(dir);
    expect(created.origin).toBe('created');
    await created.close();

    const legacy = await mkdtemp(join(tmpdir(), 'wad-opening-legacy-'));
    try {
      const db = await LevelBackend.open(join(legacy, 'store'), { createIfMissing: true });
      await db.batch([{ type: 'put', key: utf8('accounts/x'), value: Uint8Array.of(1) }]);
      await db.close();
      await unlink(join(legacy, 'store', 'CURRENT'));
      await expect(Store.open(legacy)).rejects.toMatchObject({ code: 'STORE_DAMAGED' });
    } finally {
      await rm(legacy, { recursive: true, force: true });
    }
  });

  it('an unreadable marker is refused, not rewritten', async () => {
    await populate();
    await writeFile(join(dir, 'store.json'), 'not json');
    await expect(Store.open(dir)).rejects.toBeInstanceOf(StoreError);
    await expect(Store.open(dir)).rejects.toMatchObject({ code: 'STORE_DAMAGED' });
  });
});

describe('check and repair', () => {
  it('names each damaged account and family; repair rewrites, quarantines and reports; every account loads after', async () => {
    await populate();
    await damage([
      ['accounts/alice', garbage],
      [key(utf8('a/bob/'), 'creds'), garbage],
      [key(utf8('a/carol/'), 'evseq'), Uint8Array.of(1, 2, 3)],
      [key(utf8('a/carol/'), 'evc', 'app'), Uint8Array.of(9)],
    ]);
    const unchanged = await (async () => {
      const db = await LevelBackend.open(join(dir, 'store'));
      const d = await dump(db);
      await db.close();
      return d;
    })();

    const check = await checkStore(dir);
    expect(check.ok).toBe(false);
    const by = Object.fromEntries(check.accounts.map((a) => [a.id, a]));
    expect(by.alice).toMatchObject({ status: 'failed', damaged: [{ what: 'registry entry', loadCritical: true }] });
    expect(by.bob).toMatchObject({ status: 'failed', damaged: [{ what: 'credentials', key: 'a/bob/creds' }] });
    expect(by.carol!.status).toBe('failed');
    expect(by.carol!.damaged.map((d) => d.what).sort()).toEqual(['event cursor', 'event seq']);
    // check wrote nothing.
    const db = await LevelBackend.open(join(dir, 'store'));
    expect(await dump(db)).toEqual(unchanged);
    await db.close();

    const { actions, after } = await repairStore(dir, 5000);
    const did = actions.map((a) => `${a.account}:${a.action}:${a.key}`);
    expect(did).toEqual(
      expect.arrayContaining(['alice:rewritten:accounts/alice', 'bob:quarantined:a/bob/creds', 'carol:rewritten:a/carol/evseq', 'carol:quarantined:a/carol/evc/app']),
    );
    expect(actions.find((a) => a.key === 'a/bob/creds')!.detail).toMatch(/linked again/);
    expect(after.accounts.map((a) => [a.id, a.status])).toEqual([
      ['alice', 'ok'],
      ['bob', 'ok'],
      ['carol', 'ok'],
    ]);
    // The old bytes of everything rewritten or moved: registry entry, creds, event seq, cursor.
    expect(after.quarantined).toBe(4);

    const store = await Store.open(dir);
    expect((await store.listAccounts()).map((a) => a.id)).toEqual(['alice', 'bob', 'carol']);
    expect((await store.account('bob')).creds).toBeUndefined();
    const carol = await store.account('carol');
    expect(carol.events.lastSeq).toBe(3);
    expect(carol.events.cursor('app')).toBeUndefined();
    expect((await store.account('alice')).creds?.registrationId).toBe(1001);
    await store.close();
  });

  it('leaves damaged events in place (reported as gaps when read) and says so', async () => {
    await populate();
    const { u64 } = await import('../../src/store/keys.js');
    await damage([[key(utf8('a/alice/'), 'ev', u64(2)), garbage]]);
    const check = await checkStore(dir);
    expect(check.accounts.find((a) => a.id === 'alice')).toMatchObject({ status: 'damaged', damaged: [{ what: 'event' }] });
    const { actions } = await repairStore(dir);
    expect(actions).toEqual([expect.objectContaining({ account: 'alice', action: 'kept' })]);
    const store = await Store.open(dir);
    const read = await (await store.account('alice')).events.readWithGaps(1, 10);
    expect(read.events.map((e) => e.seq)).toEqual([1, 3]);
    expect(read.gaps).toEqual([expect.objectContaining({ from: 2, to: 2 })]);
    await store.close();
  });

  /** Gives bob 20 events carrying `pad`, turns the log into a table, and flips 64 bytes of that table after `marker`. */
  async function damageBobsTable(marker: string, pad: () => string): Promise<void> {
    const store = await Store.open(dir);
    const bob = await store.account('bob');
    for (let i = 0; i < 20; i++) await bob.transaction((tx) => tx.events.append([{ type: 'x', t: i, data: { d: { tag: marker, pad: pad() } } }]));
    await store.close();
    // Reopening turns the log into a table.
    await (await Store.open(dir)).close();
    let damaged = false;
    for (const name of (await readdir(join(dir, 'store'))).filter((f) => f.endsWith('.ldb'))) {
      const path = join(dir, 'store', name);
      const buf = await readFile(path);
      const at = buf.indexOf(marker);
      if (at < 0) continue;
      for (let i = 0; i < 64; i++) buf[at + 100 + i]! ^= 0xff;
      await writeFile(path, buf);
      damaged = true;
    }
    expect(damaged).toBe(true);
  }

  it('bytes damaged inside a table: found as undecodable records of that account only; the others are untouched', async () => {
    await populate();
    // Random hex does not compress: LevelDB stores the block raw and reads the damaged bytes back as they are.
    await damageBobsTable('bob-raw-marker', () => randomBytes(3000).toString('hex'));
    const check = await checkStore(dir);
    expect(check.accounts.map((a) => [a.id, a.status])).toEqual([
      ['alice', 'ok'],
      ['bob', 'damaged'],
      ['carol', 'ok'],
    ]);
    expect(check.accounts[1]!.damaged.every((d) => d.what === 'event')).toBe(true);
  });

  it('a table LevelDB cannot read (a damaged compressed block): check reports the failed read; repair rebuilds it and every account loads', async () => {
    await populate();
    await damageBobsTable('bob-snappy-marker', () => 'the same words again and again '.repeat(200));
    const check = await checkStore(dir);
    expect(check.ok).toBe(false);
    expect(check.readError).toMatch(/corrupt/i);

    const { actions, after } = await repairStore(dir);
    expect(actions.map((a) => a.action)).toContain('leveldb-repair');
    expect(after.readError).toBeUndefined();
    expect(after.accounts.map((a) => [a.id, a.status])).toEqual([
      ['alice', 'ok'],
      ['bob', 'ok'],
      ['carol', 'ok'],
    ]);
    const reopened = await Store.open(dir);
    for (const id of ['alice', 'bob', 'carol']) expect((await reopened.account(id)).creds).toBeDefined();
    await reopened.close();
  });

  it('refuses to run while the store is open elsewhere', async () => {
    await populate();
    const running = await Store.open(dir);
    await expect(checkStore(dir)).rejects.toMatchObject({ code: 'OPEN_FAILED', message: expect.stringMatching(/locked/) });
    await expect(repairStore(dir)).rejects.toMatchObject({ code: 'OPEN_FAILED' });
    await running.close();
  });
});
