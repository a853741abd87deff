// The connection's login-time steps against the in-memory server: the
// unified_session marker after pairing and at login (its id from the
// server's clock), the A/B props refresh naming the stored hash, the check
// of the server's copy of our key bundle (re-upload when it holds none or
// one that is not ours), and dirty bits cleaned only once caught up.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newCreds } from '../../src/account/creds.js';
import { DirtyBitsHandler } from '../../src/account/dirty-bits.js';
import type { BinaryNode } from '../../src/protocol/binary/index.js';
import { generateKeyPair } from '../../src/protocol/crypto/index.js';
import { uintBytes } from '../../src/protocol/iq/nodes.js';
import { keyBundleHash, MIN_PREKEY_COUNT } from '../../src/protocol/iq/prekeys.js';
import { generatePreKeys } from '../../src/protocol/signal/index.js';
import { unifiedSessionId } from '../../src/protocol/stanza/unified-session.js';
import { buildDeviceIdentity } from '../../src/sim/phone/adv.js';
import { rig, silent, type Rig } from './support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const flush = async () => {
  for (let i = 0; i < 4; i++) await vi.advanceTimersByTimeAsync(0);
};
const ME = '15550001111:3@s.whatsapp.net';
/** The `t` the in-memory server puts in `<success>`. */
const SERVER_T = 1_700_000_000;

async function linked(lastPropHash?: string): Promise<Rig> {
  const r = await rig();
  await r.account.transaction((tx) => tx.creds.set({ ...newCreds(), registered: true, me: { id: ME }, ...(lastPropHash ? { lastPropHash } : {}) }));
  return r;
}

const kids = (n: BinaryNode) => (Array.isArray(n.content) ? n.content : []);
const unifiedSessions = (r: Rig) => r.server.last.got('ib').filter((n) => kids(n)[0]?.tag === 'unified_session');
const encryptTags = (r: Rig) => r.server.last.iqs('encrypt').map((n) => `${n.attrs.type}:${kids(n)[0]!.tag}`);
const answer = (iq: BinaryNode, content: BinaryNode[]): BinaryNode => ({ tag: 'iq', attrs: { type: 'result', id: iq.attrs.id!, from: 's.whatsapp.net' }, content });

describe('unified_session', () => {
  it('follows our pair-device-sign, its id from the pair-success time', async () => {
    const r = await rig();
    r.conn.actor.start();
    await flush();
    const creds = r.account.creds!;
    const identity = buildDeviceIdentity({ account: generateKeyPair(), companionIdentityPub: creds.identityKey.public, advSecret: creds.advSecretKey, rawId: 7, keyIndex: 1, timestamp: SERVER_T });
    r.server.last.send({
      tag: 'iq',
      attrs: { from: 's.whatsapp.net', type: 'result', id: 'ps1', t: String(SERVER_T + 3600) },
      content: [
        {
          tag: 'pair-success',
          attrs: {},
          content: [
            { tag: 'device-identity', attrs: {}, content: identity.hmacWrapped },
            { tag: 'platform', attrs: { name: 'android' } },
            { tag: 'device', attrs: { jid: '15550001111:1@s.whatsapp.net', lid: '99887766:1@lid' } },
          ],
        },
      ],
    });
    await flush();
    const got = r.server.last.received;
    const signed = got.findIndex((n) => n.tag === 'iq' && n.attrs.id === 'ps1' && n.attrs.type === 'result');
    const marked = got.findIndex((n) => n.tag === 'ib' && kids(n)[0]?.tag === 'unified_session');
    expect(signed).toBeGreaterThanOrEqual(0);
    expect(marked).toBeGreaterThan(signed);
    // The fake clock stands still: the server's time is exactly the pair-success's.
    expect(kids(got[marked]!)[0]!.attrs.id).toBe(unifiedSessionId((SERVER_T + 3600) * 1000));
  });

  it('goes out at login once we are active, read with the server clock of <success>', async () => {
    const r = await linked();
    r.conn.actor.start();
    await flush();
    const marks = unifiedSessions(r);
    expect(marks).toHaveLength(1);
    expect(kids(marks[0]!)[0]!.attrs.id).toBe(unifiedSessionId(SERVER_T * 1000));
    const order = r.server.last.received.map((n) => (n.tag === 'iq' ? `iq:${n.attrs.xmlns}` : n.tag));
    expect(order.indexOf('ib')).toBeGreaterThan(order.indexOf('iq:passive'));
  });
});

describe('A/B props', () => {
  it('are asked for with the stored hash at every login; a new hash is stored, the same one kept', async () => {
    const r = await linked('h0');
    r.conn.actor.start();
    await flush();
    expect(kids(r.server.last.iqs('abt')[0]!)[0]!.attrs).toEqual({ protocol: '1', hash: 'h0' });
    expect(r.account.creds!.lastPropHash).toBe('h1');

    const again = await linked('h1');
    again.conn.actor.start();
    await flush();
    expect(kids(again.server.last.iqs('abt')[0]!)[0]!.attrs).toEqual({ protocol: '1', hash: 'h1' });
    expect(again.account.creds!.lastPropHash).toBe('h1');
  });
});

describe('key bundle digest', () => {
  /** The server's digest of what it holds: our bundle (with the one-time prekeys `preKeys`), with `damage` applied to its copy of the signature. */
  function digestOf(r: Rig, damage = false, preKeys: ReadonlyArray<{ keyId: number; keyPair: { public: Uint8Array } }> = []): BinaryNode[] {
    const c = r.account.creds!;
    const signature = Uint8Array.from(c.signedPreKey.signature);
    if (damage) signature[0]! ^= 1;
    const hash = keyBundleHash(
      c.identityKey.public,
      c.signedPreKey.keyPair.public,
      signature,
      preKeys.map((k) => k.keyPair.public),
    );
    return [
      {
        tag: 'digest',
        attrs: {},
        content: [
          { tag: 'registration', attrs: {}, content: uintBytes(c.registrationId, 4) },
          { tag: 'type', attrs: {}, content: Uint8Array.of(5) },
          { tag: 'identity', attrs: {}, content: c.identityKey.public },
          {
            tag: 'skey',
            attrs: {},
            content: [
              { tag: 'id', attrs: {}, content: uintBytes(c.signedPreKey.keyId, 3) },
              { tag: 'value', attrs: {}, content: c.signedPreKey.keyPair.public },
              { tag: 'signature', attrs: {}, content: signature },
            ],
          },
          { tag: 'list', attrs: {}, content: preKeys.map((k) => ({ tag: 'id', attrs: {}, content: uintBytes(k.keyId, 3) })) },
          { tag: 'hash', attrs: {}, content: hash },
        ],
      },
    ];
  }

  async function loginWith(digest: (r: Rig, iq: BinaryNode) => BinaryNode, before?: (r: Rig) => Promise<void>): Promise<Rig> {
    const r = await linked();
    await before?.(r);
    r.server.iq = (iq) => (iq.attrs.xmlns === 'encrypt' && kids(iq)[0]?.tag === 'digest' ? digest(r, iq) : undefined);
    r.conn.actor.start();
    await flush();
    return r;
  }

  it('leaves a bundle the server holds as ours alone', async () => {
    // It lists no one-time prekey: too few to tell that none is due, so the count is asked after it.
    const r = await loginWith((rr, iq) => answer(iq, digestOf(rr)));
    expect(encryptTags(r)).toEqual(['get:digest', 'get:count']);
  });

  it('asks no count when the digest lists enough of our prekeys, and uploads the bundle again when one of them is not ours', async () => {
    const ours = generatePreKeys(1, MIN_PREKEY_COUNT);
    const stored = async (r: Rig) => r.account.transaction((tx) => tx.preKeys.put(ours));
    const r = await loginWith((rr, iq) => answer(iq, digestOf(rr, false, ours)), stored);
    expect(encryptTags(r)).toEqual(['get:digest']);
    expect(r.server.last.iqs('abt')).toHaveLength(1);
    // A listed prekey that is not ours: the bundle is uploaded again, and no count is needed after that either.
    const foreign = [...ours.slice(1), { keyId: 99, keyPair: generateKeyPair() }];
    const bad = await loginWith((rr, iq) => answer(iq, digestOf(rr, false, foreign)), stored);
    expect(encryptTags(bad)).toEqual(['get:digest', 'set:registration']);
  });

  it('uploads our bundle again when the server holds none (404) or one whose hash is not ours', async () => {
    const none = await loginWith((_r, iq) => ({ tag: 'iq', attrs: { type: 'error', id: iq.attrs.id!, from: 's.whatsapp.net' }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] }));
    const damaged = await loginWith((rr, iq) => answer(iq, digestOf(rr, true)));
    for (const r of [none, damaged]) {
      // Just uploaded, the server holds a full batch: no count is asked.
      expect(encryptTags(r)).toEqual(['get:digest', 'set:registration']);
      const upload = r.server.last.iqs('encrypt')[1]!;
      expect(kids(kids(upload).find((c) => c.tag === 'list')!)).toHaveLength(50);
      const skey = kids(upload).find((c) => c.tag === 'skey')!;
      expect(Buffer.from(kids(skey).find((c) => c.tag === 'signature')!.content as Uint8Array)).toEqual(Buffer.from(r.account.creds!.signedPreKey.signature));
      expect(r.account.creds!.firstUnuploadedPreKeyId).toBe(51);
    }
  });

  it('uploads nothing for an answer it cannot read', async () => {
    const r = await loginWith((_r, iq) => answer(iq, [{ tag: 'digest', attrs: {} }]));
    expect(encryptTags(r)).toEqual(['get:digest', 'get:count']);
    // The steps after it still ran.
    expect(r.server.last.iqs('abt')).toHaveLength(1);
  });
});

describe('dirty bits', () => {
  const cleans = (r: Rig) => r.server.last.iqs('urn:xmpp:whatsapp:dirty').map((n) => kids(n)[0]!.attrs);

  it('are cleaned with their timestamp once caught up, and not while catching up failed or is incomplete', async () => {
    const r = await linked();
    let groupsFetched!: () => void;
    let fetches = 0;
    r.conn.register(
      new DirtyBitsHandler({
        execute: (spec) => r.conn.execute(spec),
        logger: silent,
        refetchGroups: () => {
          fetches++;
          return new Promise<void>((resolve) => (groupsFetched = resolve));
        },
        resyncAppState: async () => false,
      }),
    );
    r.conn.actor.start();
    await flush();
    const dirty = (type: string, timestamp: string): BinaryNode => ({ tag: 'ib', attrs: { from: 's.whatsapp.net' }, content: [{ tag: 'dirty', attrs: { type, timestamp } }] });
    r.server.last.send(dirty('groups', '1700000005'));
    r.server.last.send(dirty('account_sync', '1700000006'));
    // The same bit again while its run is under way joins that run.
    r.server.last.send(dirty('groups', '1700000005'));
    await flush();
    expect(fetches).toBe(1);
    expect(cleans(r)).toEqual([]);
    groupsFetched();
    await flush();
    // The app state came back incomplete: account_sync stays dirty for the next login.
    expect(cleans(r)).toEqual([{ type: 'groups', timestamp: '1700000005' }]);
    // An <ib> is never acked.
    expect(r.server.last.got('ack')).toEqual([]);
  });

  it('stay dirty when catching up throws', async () => {
    const r = await linked();
    r.conn.register(
      new DirtyBitsHandler({
        execute: (spec) => r.conn.execute(spec),
        logger: silent,
        refetchGroups: async () => Promise.reject(new Error('no groups today')),
        resyncAppState: async () => true,
      }),
    );
    r.conn.actor.start();
    await flush();
    r.server.last.send({ tag: 'ib', attrs: {}, content: [{ tag: 'dirty', attrs: { type: 'groups', timestamp: '9' } }, { tag: 'dirty', attrs: { type: 'syncd_app_state', timestamp: '10' } }] });
    await flush();
    expect(cleans(r)).toEqual([{ type: 'syncd_app_state', timestamp: '10' }]);
  });
});
