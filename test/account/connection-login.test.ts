// The connection actor's way to online: a fresh account registers and shows
// QRs (rotating refs), a linked account logs in and runs its after-login
// IQs. Fake timers, an in-memory server (support/fake-server.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BinaryNode } from '../../src/protocol/binary/index.js';
import { parseLinkQr } from '../../src/sim/phone/qr.js';
import { newCreds } from '../../src/account/creds.js';
import { rig } from './support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const flush = () => vi.advanceTimersByTimeAsync(0);

describe('a fresh account', () => {
  it('stores credentials, registers and shows one QR per ref, first 60 s then 20 s each, then stops', async () => {
    const r = await rig();
    r.conn.actor.start();
    await flush();
    const creds = r.account.creds!;
    expect(creds.registered).toBe(false);
    expect(r.server.last.loginKind).toBe('register');
    const reg = r.server.last.payload!.devicePairingData!;
    expect(Buffer.from(reg.eIdent!)).toEqual(Buffer.from(creds.identityKey.public));
    // pair-device answered
    expect(r.server.last.received.some((n) => n.tag === 'iq' && n.attrs.id === 'pd1' && n.attrs.type === 'result')).toBe(true);

    const qrs = () => r.updates.filter((u) => u.state === 'qr').map((u) => u.qr!);
    expect(qrs()).toHaveLength(1);
    const q = parseLinkQr(qrs()[0]!);
    expect(q.ref).toBe('2@ref-one');
    expect(Buffer.from(q.noiseKey)).toEqual(Buffer.from(creds.noiseKey.public));
    expect(Buffer.from(q.identityKey)).toEqual(Buffer.from(creds.identityKey.public));
    expect(Buffer.from(q.advSecret)).toEqual(Buffer.from(creds.advSecretKey));

    await vi.advanceTimersByTimeAsync(59_999);
    expect(qrs()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(parseLinkQr(qrs()[1]!).ref).toBe('2@ref-two');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(parseLinkQr(qrs()[2]!).ref).toBe('2@ref-three');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(r.updates.at(-1)).toMatchObject({ state: 'stopped', reason: 'QR refs expired before a phone linked' });
    expect(r.conn.actor.getSnapshot().status).toBe('done');
    expect(r.server.last.alive).toBe(false);
    expect(r.sink.states()).toEqual(['connecting', 'qr', 'qr', 'qr', 'stopped']);
  });
});

describe('a linked account', () => {
  async function linked() {
    const r = await rig();
    await r.account.transaction((tx) => tx.creds.set({ ...newCreds(), registered: true, me: { id: '15550001111:3@s.whatsapp.net' } }));
    return r;
  }

  it('logs in with username and device, goes online, uploads prekeys when the server holds too few', async () => {
    const r = await linked();
    r.server.preKeyCount = 0;
    r.conn.actor.start();
    await flush();
    const p = r.server.last.payload!;
    expect(String(p.username)).toBe('15550001111');
    expect(p.device).toBe(3);
    expect(p.passive).toBe(true);
    expect(r.conn.state).toBe('online');
    expect(r.sink.states()).toEqual(['connecting', 'online']);
    await flush();
    const enc = r.server.last.iqs('encrypt');
    // This server's digest answer is no digest: unchecked, so the count is asked.
    expect(enc.slice(0, 2).map((n) => (n.content as BinaryNode[])[0]!.tag)).toEqual(['digest', 'count']);
    expect(enc[1]!.content).toEqual([{ tag: 'count', attrs: {} }]);
    const upload = enc[2]!;
    const list = (upload.content as BinaryNode[]).find((c) => c.tag === 'list')!;
    expect(list.content).toHaveLength(50);
    expect(r.account.creds!.firstUnuploadedPreKeyId).toBe(51);
    expect(r.account.creds!.nextPreKeyId).toBe(51);
    expect((await r.account.preKeys.get(50))?.keyId).toBe(50);
    expect(r.server.last.iqs('passive')).toHaveLength(1);
    expect(r.account.creds!.lastPropHash).toBe('h1');
    // The LID from <success> is stored.
    expect(r.account.creds!.me!.lid).toBe('99887766:3@lid');
  });

  it('does not upload when the server holds enough', async () => {
    const r = await linked();
    r.conn.actor.start();
    await flush();
    await flush();
    // The digest check (this server's empty answer is not a digest: nothing is uploaded for it), then the count it could not tell.
    expect(r.server.last.iqs('encrypt').map((n) => (n.content as BinaryNode[])[0]!.tag)).toEqual(['digest', 'count']);
    expect(r.account.creds!.nextPreKeyId).toBe(1);
  });

  it('replenishes when the server says it runs low, and acks that notification', async () => {
    const r = await linked();
    r.conn.actor.start();
    await flush();
    await flush();
    r.server.last.send({ tag: 'notification', attrs: { from: 's.whatsapp.net', type: 'encrypt', id: 'n1' }, content: [{ tag: 'count', attrs: { value: '2' } }] });
    await flush();
    await flush();
    expect(r.server.last.got('ack')).toContainEqual({ tag: 'ack', attrs: { class: 'notification', id: 'n1', to: 's.whatsapp.net', type: 'encrypt' } });
    expect(r.server.last.iqs('encrypt').filter((n) => n.attrs.type === 'set')).toHaveLength(1);
    expect(r.account.creds!.firstUnuploadedPreKeyId).toBe(51);
  });
});
