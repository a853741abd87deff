// Session-record behaviour: sessions started by both sides at once, repeated
// pkmsgs, rebuilt sessions, reinstalled peers (identity changes), closing, and
// the bounds on archived sessions, receiving chains and skipped keys.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  closeSession,
  compareIdentity,
  decryptMessage,
  encryptMessage,
  hasOpenSession,
  initSessionFromBundle,
  MAX_PREVIOUS_SESSIONS,
  MAX_RECEIVING_CHAINS,
  MAX_SKIPPED_KEYS_PER_CHAIN,
  pinnedIdentity,
  remoteIdentity,
  remoteRegistrationId,
  SignalError,
} from '../../../src/protocol/signal/index.js';
import { hex, LibPeer, OurPeer, type Peer } from './support.js';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

async function send(from: Peer, to: Peer, body: string): Promise<void> {
  const { type, ciphertext } = await from.encrypt(text(body));
  expect(str(await to.decrypt(type, ciphertext))).toBe(body);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SignalError);
    return (e as SignalError).code;
  }
  throw new Error('expected a SignalError');
}

beforeAll(() => {
  vi.spyOn(console, 'info').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

describe('starting sessions', () => {
  /** Both sides start from each other's bundle at once, then chat; returns what each delivery did. */
  async function simultaneousStart(a: Peer, b: Peer): Promise<string[]> {
    await a.startSession(b.bundle(true));
    await b.startSession(a.bundle(true));
    const fromA = await a.encrypt(text('a1'));
    const fromB = await b.encrypt(text('b1'));
    expect([fromA.type, fromB.type]).toEqual(['pkmsg', 'pkmsg']);
    const outcomes: string[] = [];
    const deliver = async (from: Peer, to: Peer, body: string, m?: { type: 'pkmsg' | 'msg'; ciphertext: Uint8Array }) => {
      const { type, ciphertext } = m ?? (await from.encrypt(text(body)));
      outcomes.push(
        await to.decrypt(type, ciphertext).then(
          (p) => `${body}:${str(p) === body ? 'ok' : 'wrong'}`,
          () => `${body}:failed`,
        ),
      );
    };
    await deliver(a, b, 'a1', fromA);
    await deliver(b, a, 'b1', fromB);
    for (let i = 2; i < 8; i++) {
      await deliver(a, b, `a${i}`);
      await deliver(b, a, `b${i}`);
    }
    return outcomes;
  }

  it('both sides start at once: every message decrypts, and both keep the other session archived', async () => {
    const a = new OurPeer('a');
    const b = new OurPeer('b');
    const outcomes = await simultaneousStart(a, b);
    expect(outcomes.every((o) => o.endsWith(':ok'))).toBe(true);
    expect(a.record!.previous).toHaveLength(1);
    expect(b.record!.previous).toHaveLength(1);
  });

  it('both sides start at once with libsignal: we do exactly what a second libsignal would', async () => {
    // libsignal-node steps the ratchet of every session it tries before checking
    // the MAC and stores those failed attempts when another session succeeds, so
    // after a simultaneous start it corrupts its own open session: even two
    // libsignal peers then lose every message it sends. Our record is untouched
    // by failed attempts; the outcomes must match libsignal's own. (libsignal orders
    // sessions by Date.now() of last use: a ticking clock keeps that deterministic.)
    let clock = 1_700_000_000_000;
    const now = vi.spyOn(Date, 'now').mockImplementation(() => clock++);
    const ours = await simultaneousStart(new OurPeer('a'), new LibPeer('b'));
    const theirs = await simultaneousStart(new LibPeer('a'), new LibPeer('b'));
    now.mockRestore();
    expect(ours).toEqual(theirs);
    expect(ours.filter((o) => o.startsWith('a')).every((o) => o.endsWith(':ok'))).toBe(true);
    expect(theirs).toContain('b2:failed');
  });

  it('repeated pkmsgs before the answer all decrypt, in any order; only the first consumes the prekey', async () => {
    const lib = new LibPeer();
    const ours = new OurPeer();
    const bundle = ours.bundle(true);
    await lib.startSession(bundle);
    const msgs = [await lib.encrypt(text('p0')), await lib.encrypt(text('p1')), await lib.encrypt(text('p2'))];
    expect(msgs.every((m) => m.type === 'pkmsg')).toBe(true);
    const lookups = {
      preKey: (id: number) => ours.preKeys.get(id),
      signedPreKey: () => ours.signedPreKey.keyPair,
    };
    const first = decryptMessage(undefined, ours.local, 'pkmsg', msgs[1]!.ciphertext, lookups);
    expect(first.usedPreKeyId).toBe(bundle.preKey!.keyId);
    ours.preKeys.delete(first.usedPreKeyId!);
    const second = decryptMessage(first.record, ours.local, 'pkmsg', msgs[0]!.ciphertext, lookups);
    expect(second.usedPreKeyId).toBeUndefined();
    const third = decryptMessage(second.record, ours.local, 'pkmsg', msgs[2]!.ciphertext, lookups);
    expect(str(third.plaintext)).toBe('p2');
    expect(third.record.previous).toHaveLength(0);
    expect(remoteRegistrationId(third.record)).toBe(lib.registrationId);
    // Our answer ends the pkmsg phase on their side.
    ours.record = third.record;
    await send(ours, lib, 'answer');
    const after = await lib.encrypt(text('msg now'));
    expect(after.type).toBe('msg');
  });

  it('we send pkmsg until the peer answers, then msg', async () => {
    const ours = new OurPeer();
    const lib = new LibPeer();
    await ours.startSession(lib.bundle(false));
    expect((await ours.encrypt(text('1'))).type).toBe('pkmsg');
    const second = await ours.encrypt(text('2'));
    expect(second.type).toBe('pkmsg');
    await lib.decrypt(second.type, second.ciphertext);
    await send(lib, ours, 'reply');
    expect((await ours.encrypt(text('3'))).type).toBe('msg');
  });

  it('a rebuilt session (new bundle) becomes current; the peer’s messages on the old one still decrypt', async () => {
    const ours = new OurPeer();
    const lib = new LibPeer();
    await ours.startSession(lib.bundle(true));
    await send(ours, lib, 'hello');
    await send(lib, ours, 'hi');
    const late = await lib.encrypt(text('late on the old session'));
    await ours.startSession(lib.bundle(true));
    expect(ours.record!.previous).toHaveLength(1);
    const base = hex(ours.record!.current!.baseKey);
    expect(str(await ours.decrypt(late.type, late.ciphertext))).toBe('late on the old session');
    // The old session was only updated; we keep sending on the new one.
    expect(hex(ours.record!.current!.baseKey)).toBe(base);
    const next = await ours.encrypt(text('on the new session'));
    expect(next.type).toBe('pkmsg');
    expect(str(await lib.decrypt(next.type, next.ciphertext))).toBe('on the new session');
  });
});

describe('purity', () => {
  it('successful calls leave the records they were given unchanged too', async () => {
    const a = new OurPeer('a');
    const b = new OurPeer('b');
    await a.startSession(b.bundle(true));
    for (let i = 0; i < 6; i++) {
      const [from, to] = i % 2 ? [b, a] : [a, b];
      const fromBefore = from.record;
      const fromSnapshot = from.snapshot();
      const toBefore = to.record;
      const toSnapshot = to.snapshot();
      const m = await from.encrypt(text(`m${i}`));
      await to.decrypt(m.type, m.ciphertext);
      expect(from.record).not.toBe(fromBefore);
      for (const [record, snap] of [
        [fromBefore, fromSnapshot],
        [toBefore, toSnapshot],
      ] as const) {
        const probe = new OurPeer();
        probe.record = record;
        expect(probe.snapshot()).toBe(snap);
      }
    }
  });
});

describe('identity changes', () => {
  it('a reinstalled peer’s pkmsg starts a new session and reports the change; the old session is archived', async () => {
    const ours = new OurPeer();
    const before = new LibPeer();
    await before.startSession(ours.bundle(true));
    await send(before, ours, 'old install');
    await send(ours, before, 'ack');
    const oldIdentity = remoteIdentity(ours.record)!;
    expect(hex(oldIdentity)).toBe(hex(before.identity.pubKey.subarray(1)));

    const after = new LibPeer();
    await after.startSession(ours.bundle(true));
    const pk = await after.encrypt(text('new install'));
    const out = decryptMessage(ours.record, ours.local, 'pkmsg', pk.ciphertext, {
      preKey: (id) => ours.preKeys.get(id),
      signedPreKey: () => ours.signedPreKey.keyPair,
    });
    expect(out.identityChanged).toBe(true);
    expect(hex(out.remoteIdentity)).toBe(hex(after.identity.pubKey.subarray(1)));
    expect(compareIdentity(oldIdentity, out.remoteIdentity)).toBe('changed');
    expect(out.record.previous).toHaveLength(1);

    // A strict caller that pinned the old key refuses the same message, changing nothing.
    expect(
      codeOf(() => decryptMessage(ours.record, ours.local, 'pkmsg', pk.ciphertext, { isTrustedIdentity: pinnedIdentity(oldIdentity), signedPreKey: () => ours.signedPreKey.keyPair })),
    ).toBe('UNTRUSTED_IDENTITY');
  });

  it('a bundle with another identity reports the change; the same identity does not', () => {
    const ours = new OurPeer();
    const peer = new OurPeer();
    const first = initSessionFromBundle(undefined, ours.local, peer.bundle(true));
    expect(first.identityChanged).toBe(false);
    const again = initSessionFromBundle(first.record, ours.local, peer.bundle(true));
    expect(again.identityChanged).toBe(false);
    const reinstalled = initSessionFromBundle(again.record, ours.local, new OurPeer().bundle(true));
    expect(reinstalled.identityChanged).toBe(true);
    expect(compareIdentity(undefined, peer.local.identityKey.public)).toBe('new');
    expect(compareIdentity(Uint8Array.of(5, ...peer.local.identityKey.public), peer.local.identityKey.public)).toBe('unchanged');
  });
});

describe('closing and bounds', () => {
  it('a closed session cannot send but still receives', async () => {
    const ours = new OurPeer();
    const lib = new LibPeer();
    await ours.startSession(lib.bundle(true));
    await send(ours, lib, 'x');
    const inFlight = await lib.encrypt(text('in flight'));
    ours.record = closeSession(ours.record!);
    expect(hasOpenSession(ours.record)).toBe(false);
    expect(codeOf(() => encryptMessage(ours.record, ours.local, text('no')))).toBe('NO_SESSION');
    expect(str(await ours.decrypt(inFlight.type, inFlight.ciphertext))).toBe('in flight');
  });

  it(`keeps at most ${MAX_PREVIOUS_SESSIONS} archived sessions`, () => {
    const ours = new OurPeer();
    const peer = new OurPeer();
    let record = undefined as Parameters<typeof initSessionFromBundle>[0];
    for (let i = 0; i < MAX_PREVIOUS_SESSIONS + 5; i++) record = initSessionFromBundle(record, ours.local, peer.bundle(false)).record;
    expect(record!.previous).toHaveLength(MAX_PREVIOUS_SESSIONS);
  });

  it(`keeps at most ${MAX_RECEIVING_CHAINS} receiving chains; a message from an older chain then fails cleanly`, async () => {
    const a = new OurPeer('a');
    const b = new OurPeer('b');
    await a.startSession(b.bundle(true));
    await send(a, b, 'start');
    await send(b, a, 'reply');
    const stale = await a.encrypt(text('stale'));
    for (let i = 0; i < MAX_RECEIVING_CHAINS + 1; i++) {
      await send(a, b, `a${i}`);
      await send(b, a, `b${i}`);
    }
    expect(b.record!.current!.receiving).toHaveLength(MAX_RECEIVING_CHAINS);
    const before = b.snapshot();
    await expect(b.decrypt(stale.type, stale.ciphertext)).rejects.toMatchObject({ code: 'BAD_MAC' });
    expect(b.snapshot()).toBe(before);
  });

  it(`keeps at most ${MAX_SKIPPED_KEYS_PER_CHAIN} skipped keys per chain, dropping the oldest`, async () => {
    const a = new OurPeer('a');
    const b = new OurPeer('b');
    await a.startSession(b.bundle(true));
    await send(a, b, 'start');
    await send(b, a, 'reply');
    const burst: Uint8Array[] = [];
    for (let i = 0; i < 4000; i++) burst.push((await a.encrypt(text(`m${i}`))).ciphertext);
    expect(str(await b.decrypt('msg', burst[1999]!))).toBe('m1999');
    expect(b.record!.current!.receiving[0]!.skipped).toHaveLength(1999);
    expect(str(await b.decrypt('msg', burst[3999]!))).toBe('m3999');
    expect(b.record!.current!.receiving[0]!.skipped).toHaveLength(MAX_SKIPPED_KEYS_PER_CHAIN);
    // The oldest keys went; recent ones remain.
    await expect(b.decrypt('msg', burst[0]!)).rejects.toMatchObject({ code: 'DUPLICATE_MESSAGE' });
    expect(str(await b.decrypt('msg', burst[1998]!))).toBe('m1998');
    expect(str(await b.decrypt('msg', burst[3000]!))).toBe('m3000');
  });
});
