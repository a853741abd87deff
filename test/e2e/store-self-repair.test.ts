// Damage the daemon repairs by itself, and a full disk it recovers from by itself:
// - an event record that no longer decodes reaches a durable subscriber (one
//   that asked for message:new only) as an `error` event naming the gap, and
//   delivery goes on after it;
// - a damaged Signal session is dropped: the contact's next message fails to
//   decrypt, our retry receipt carries our keys, the contact starts a fresh
//   session and the message arrives; a send on a damaged session goes out on
//   a session from a fetched bundle;
// - while the store refuses writes with ENOSPC, sends fail UNAVAILABLE (storage
//   full) and a received message is not acked; once writes succeed again the
//   account reconnects by itself and the server redelivers it, no restart.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WadClient } from '../../src/client/index.js';
import type { Daemon, WadEvent } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { StoreError, type BatchOp, type Entry, type KVBackend, type KeyRange } from '../../src/store/index.js';
import { LevelBackend } from '../../src/store/backend/level.js';
import { key, prefixRange, u64, utf8 } from '../../src/store/keys.js';
import { admin, daemonFor, linkByQr, nextEvent, sim as startSim, tempDir, until } from './support/daemon.js';

const CONTACT = '15550042000';
const phoneOf = (i: number) => `1555004${2001 + i}`;

let s: SimHandle;
beforeAll(async () => {
  s = await startSim();
  for (const phone of [CONTACT, phoneOf(0), phoneOf(1), phoneOf(2)]) await admin(s, 'POST', '/phones', { phone, name: phone });
});
afterAll(async () => {
  await s?.close();
});

async function contactSays(to: string, text: string): Promise<string> {
  return (await admin<{ id: string }>(s, 'POST', `/phones/${CONTACT}/messages`, { to: `${to}@s.whatsapp.net`, text })).id;
}

async function contactGot(id: string): Promise<{ text: string }> {
  return until(`the contact got ${id}`, async () => (await admin<Array<{ id: string; text: string }>>(s, 'GET', `/phones/${CONTACT}/messages`)).find((m) => m.id === id));
}

const garbage = Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x07);

describe('a damaged event record', () => {
  it('reaches a subscriber as an error event naming the gap; the events after it follow', async () => {
    const dir = await tempDir('wad-e2e-ev-');
    const d = await daemonFor(s, dir.path, [], { ipc: true });
    try {
      await linkByQr(s, d, 'ev', phoneOf(0));
      const sent: string[] = [];
      for (const text of ['one', 'two', 'three']) {
        const got = nextEvent(d, 'ev', (e) => e.type === 'message:new' && e.data.content === text);
        sent.push(await contactSays(phoneOf(0), text));
        await got;
      }
      const log = await d.readEvents('ev', 0, 1000);
      const two = log.find((e) => e.type === 'message:new' && e.data.content === 'two')!;
      // The record of `two` is damaged on disk.
      await d.store.backend.batch([{ type: 'put', key: key(utf8('a/ev/'), 'ev', u64(two.seq)), value: garbage }]);

      const client = await WadClient.connect({ socket: d.socketPath });
      try {
        const stream = client.subscribe({ name: 'crm', accounts: ['ev'], types: ['message:new'], since: 0 });
        const seen: WadEvent[] = [];
        const it = stream[Symbol.asyncIterator]();
        const take = async (pred: (e: WadEvent) => boolean): Promise<WadEvent> => {
          for (;;) {
            const e = (await it.next()).value as WadEvent;
            seen.push(e);
            if (pred(e)) return e;
          }
        };
        const gap = await take((e) => e.type === 'error');
        expect(gap.seq).toBe(two.seq);
        expect(gap.data).toMatchObject({ kind: 'corrupt-events', gap: { account: 'ev', from: two.seq, to: two.seq } });
        await take((e) => e.data.content === 'three');
        const four = await contactSays(phoneOf(0), 'four');
        await take((e) => e.data.id === four);
        expect(seen.filter((e) => e.type === 'message:new').map((e) => e.data.content)).toEqual(['one', 'three', 'four']);
        await stream.close();
      } finally {
        await client.close();
      }
      expect(sent).toHaveLength(3);
    } finally {
      await d.stop();
      await dir.remove();
    }
  });
});

describe('a damaged session record', () => {
  it('is dropped and rebuilt: the chat heals through a retry receipt, and sends go out again', async () => {
    const dir = await tempDir('wad-e2e-ses-');
    const damageSessions = async (): Promise<number> => {
      const db = await LevelBackend.open(join(dir.path, 'store'));
      const ops: BatchOp[] = [];
      for await (const [k] of db.iterate(prefixRange(utf8('a/ses/ses/')))) ops.push({ type: 'put', key: k, value: garbage });
      await db.batch(ops);
      await db.close();
      return ops.length;
    };
    let d = await daemonFor(s, dir.path, []);
    try {
      await linkByQr(s, d, 'ses', phoneOf(1));
      const first = nextEvent(d, 'ses', (e) => e.type === 'message:new' && e.data.content === 'hello');
      await contactSays(phoneOf(1), 'hello');
      await first;
      // Our answer makes the contact's session with us a settled one: its next message is a plain `msg`.
      await contactGot((await d.sendMessage('ses', `${CONTACT}@s.whatsapp.net`, { type: 'text', content: 'hi back' })).messageId);
      await d.stop();

      expect(await damageSessions()).toBeGreaterThan(0);
      d = await daemonFor(s, dir.path, []);
      await d.accounts.waitFor('ses', (st) => st.state === 'online', 15_000);
      const healed = nextEvent(d, 'ses', (e) => e.type === 'message:new' && e.data.content === 'after the damage');
      await contactSays(phoneOf(1), 'after the damage');
      await healed;
      const counters = d.accountStatus('ses').counters!;
      expect(counters.damagedSessionsDropped).toBeGreaterThanOrEqual(1);
      expect(counters.retryReceiptsSent).toBeGreaterThanOrEqual(1);
      await contactGot((await d.sendMessage('ses', `${CONTACT}@s.whatsapp.net`, { type: 'text', content: 'and back' })).messageId);
      await d.stop();

      // Damaged again, and this time we speak first: the send rebuilds the session from a fetched bundle.
      await damageSessions();
      d = await daemonFor(s, dir.path, []);
      await d.accounts.waitFor('ses', (st) => st.state === 'online', 15_000);
      const { messageId } = await d.sendMessage('ses', `${CONTACT}@s.whatsapp.net`, { type: 'text', content: 'we speak first' });
      expect((await contactGot(messageId)).text).toBe('we speak first');
      expect(d.accountStatus('ses').counters!.damagedSessionsDropped).toBeGreaterThanOrEqual(1);
    } finally {
      await d.stop();
      await dir.remove();
    }
  });
});

/** The store's backend, refusing every write as LevelDB does on a full disk while `full` is set. */
class FullDisk implements KVBackend {
  full = false;
  refused = 0;
  constructor(readonly inner: KVBackend) {}
  get(k: Uint8Array): Promise<Uint8Array | undefined> {
    return this.inner.get(k);
  }
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.inner.getMany(keys);
  }
  async batch(ops: readonly BatchOp[]): Promise<void> {
    if (this.full) {
      this.refused++;
      const cause = Object.assign(new Error('IO error: /data/store/000003.log: No space left on device'), { code: 'LEVEL_IO_ERROR' });
      throw new StoreError('NO_SPACE', 'the disk is full: batch not written', { cause });
    }
    return this.inner.batch(ops);
  }
  iterate(range: KeyRange): AsyncIterable<Entry> {
    return this.inner.iterate(range);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('a full disk', () => {
  it('sends fail UNAVAILABLE (storage full); a message refused meanwhile arrives once writes succeed, without a restart', async () => {
    const dir = await tempDir('wad-e2e-full-');
    let disk: FullDisk | undefined;
    const d = await daemonFor(s, dir.path, [], { wrapStore: (b) => (disk = new FullDisk(b)) });
    try {
      await linkByQr(s, d, 'full', phoneOf(2));
      const warm = nextEvent(d, 'full', (e) => e.type === 'message:new' && e.data.content === 'before');
      await contactSays(phoneOf(2), 'before');
      await warm;

      disk!.full = true;
      await expect(d.sendMessage('full', `${CONTACT}@s.whatsapp.net`, { type: 'text', content: 'not now' })).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        details: { storage: 'full', errno: 'ENOSPC' },
      });
      const id = await contactSays(phoneOf(2), 'while the disk is full');
      // Not persisted, so not acked: the account leaves the link to have it redelivered.
      await until('a reconnect for the failed write', () => (d.accountStatus('full').counters?.['reconnects'] ?? 0) >= 1, 15_000);
      expect(Object.keys(d.accountStatus('full').counters!).some((k) => /^reconnects:store write failed/.test(k))).toBe(true);
      expect((await d.readEvents('full', 0, 1000)).some((e) => e.data.id === id)).toBe(false);

      const arrived = nextEvent(d, 'full', (e) => e.type === 'message:new' && e.data.id === id, 30_000);
      disk!.full = false;
      const ev = await arrived;
      expect(ev.data.content).toBe('while the disk is full');
      expect(disk!.refused).toBeGreaterThan(0);
      const { messageId } = await d.sendMessage('full', `${CONTACT}@s.whatsapp.net`, { type: 'text', content: 'space again' });
      await contactGot(messageId);
    } finally {
      await d.stop();
      await dir.remove();
    }
  });
});
