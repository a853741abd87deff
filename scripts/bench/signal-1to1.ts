// Signal 1:1 throughput: wad's pure sessions against libsignal-node 6.0.0 and
// whatsapp-rust-bridge (whatsapp-rust compiled to WASM) in the same run. A
// round trip is A→B then B→A, so both sides make a ratchet step (new key pair
// + two agreements) on every message, as in a live chat. Where records are
// "stored as bytes", every call loads the record from bytes and stores it
// back as bytes, on all sides (the bridge has no other mode).
//
//   npx tsx scripts/bench/signal-1to1.ts [--rounds 15] [--ms 200]
//
// `bench1to1()` is also called by scripts/bench/signal.ts.
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import * as bridge from 'whatsapp-rust-bridge';
import { generateKeyPair, sharedSecret, toSignalPublicKey } from '../../src/protocol/crypto/index.js';
import { x25519PublicKeyObject } from '../../src/protocol/crypto/key-objects.js';
import { bridgePair, bridgeSetup } from './bridge-signal.js';
import { interleave, type Op } from './interleave.js';
import {
  decryptMessage,
  deserializeSessionRecord,
  encryptMessage,
  generateIdentityKeyPair,
  generatePreKeys,
  generateRegistrationId,
  generateSignedPreKey,
  initSessionFromBundle,
  serializeSessionRecord,
  type LocalIdentity,
  type PreKeyBundle,
  type SessionRecord,
} from '../../src/protocol/signal/index.js';

const require = createRequire(import.meta.url);

interface LibKeyPair {
  pubKey: Buffer;
  privKey: Buffer;
}
interface LibRecord {
  serialize(): unknown;
}
interface Libsignal {
  keyhelper: {
    generateIdentityKeyPair(): LibKeyPair;
    generateRegistrationId(): number;
    generateSignedPreKey(identity: LibKeyPair, keyId: number): { keyId: number; keyPair: LibKeyPair; signature: Buffer };
    generatePreKey(keyId: number): { keyId: number; keyPair: LibKeyPair };
  };
  ProtocolAddress: new (id: string, deviceId: number) => object;
  SessionBuilder: new (storage: object, addr: object) => { initOutgoing(device: object): Promise<void> };
  SessionCipher: new (
    storage: object,
    addr: object,
  ) => {
    encrypt(data: Buffer): Promise<{ type: number; body: Buffer }>;
    decryptPreKeyWhisperMessage(data: Buffer): Promise<Buffer>;
    decryptWhisperMessage(data: Buffer): Promise<Buffer>;
  };
  SessionRecord: { deserialize(data: unknown): LibRecord };
}
const lib = require('libsignal') as Libsignal;

export interface BenchRow {
  readonly name: string;
  readonly ours: number;
  readonly reference: number;
  readonly referenceName: string;
  /** whatsapp-rust-bridge's ops/s in the same run, where it does the same thing. */
  readonly bridge?: number | undefined;
}

const PLAINTEXT = Buffer.alloc(120, 0x61);

// ---- libsignal side ---------------------------------------------------------

class LibSide {
  readonly identity = lib.keyhelper.generateIdentityKeyPair();
  readonly registrationId = lib.keyhelper.generateRegistrationId();
  readonly signed = lib.keyhelper.generateSignedPreKey(this.identity, 1);
  readonly preKeys = new Map<number, LibKeyPair>();
  readonly sessions = new Map<string, unknown>();
  readonly addr = new lib.ProtocolAddress('peer', 0);
  readonly storage: object;

  /** `persist`: records go through their JSON form on every store, as in Baileys' key store. */
  constructor(persist: boolean) {
    this.storage = {
      loadSession: async (id: string) => {
        const s = this.sessions.get(id);
        return s === undefined ? undefined : persist ? lib.SessionRecord.deserialize(JSON.parse(s as string)) : s;
      },
      storeSession: async (id: string, r: LibRecord) => void this.sessions.set(id, persist ? JSON.stringify(r.serialize()) : r),
      isTrustedIdentity: () => true,
      loadPreKey: async (id: number) => this.preKeys.get(Number(id)),
      removePreKey: (id: number) => void this.preKeys.delete(id),
      loadSignedPreKey: () => this.signed.keyPair,
      getOurRegistrationId: () => this.registrationId,
      getOurIdentity: () => this.identity,
    };
  }

  device(keyId: number): object {
    const pk = lib.keyhelper.generatePreKey(keyId);
    this.preKeys.set(keyId, pk.keyPair);
    return {
      registrationId: this.registrationId,
      identityKey: this.identity.pubKey,
      signedPreKey: { keyId: 1, publicKey: this.signed.keyPair.pubKey, signature: this.signed.signature },
      preKey: { keyId, publicKey: pk.keyPair.pubKey },
    };
  }

  cipher() {
    return new lib.SessionCipher(this.storage, this.addr);
  }
}

async function libPair(persist: boolean): Promise<[LibSide, LibSide]> {
  const a = new LibSide(persist);
  const b = new LibSide(persist);
  await new lib.SessionBuilder(a.storage, a.addr).initOutgoing(b.device(1));
  return [a, b];
}

async function libRoundTrip(a: LibSide, b: LibSide): Promise<void> {
  for (const [s, r] of [
    [a, b],
    [b, a],
  ] as const) {
    const { type, body } = await s.cipher().encrypt(PLAINTEXT);
    const c = r.cipher();
    await (type === 3 ? c.decryptPreKeyWhisperMessage(body) : c.decryptWhisperMessage(body));
  }
}

// ---- wad side ---------------------------------------------------------------

class OurSide {
  readonly local: LocalIdentity = { identityKey: generateIdentityKeyPair(), registrationId: generateRegistrationId() };
  readonly signed = generateSignedPreKey(this.local.identityKey, 1);
  readonly preKeys = new Map(generatePreKeys(1, 4).map((k) => [k.keyId, k.keyPair]));
  record: SessionRecord | undefined;
  stored: Uint8Array | undefined;

  bundle(): PreKeyBundle {
    const pk = this.preKeys.get(1)!;
    return {
      registrationId: this.local.registrationId,
      identityKey: this.local.identityKey.public,
      signedPreKey: { keyId: 1, publicKey: this.signed.keyPair.public, signature: this.signed.signature },
      preKey: { keyId: 1, publicKey: pk.public },
    };
  }

  /** `persist`: the record is serialised after and deserialised before every call, as a store would. */
  load(persist: boolean): SessionRecord | undefined {
    return persist ? (this.stored ? deserializeSessionRecord(this.stored) : undefined) : this.record;
  }

  save(persist: boolean, record: SessionRecord): void {
    if (persist) this.stored = serializeSessionRecord(record);
    else this.record = record;
  }
}

function ourRoundTrip(a: OurSide, b: OurSide, persist: boolean): void {
  for (const [s, r] of [
    [a, b],
    [b, a],
  ] as const) {
    const enc = encryptMessage(s.load(persist), s.local, PLAINTEXT);
    s.save(persist, enc.record);
    const dec = decryptMessage(r.load(persist), r.local, enc.type, enc.ciphertext, {
      preKey: (id) => r.preKeys.get(id),
      signedPreKey: () => r.signed.keyPair,
    });
    r.save(persist, dec.record);
  }
}

function ourPair(persist: boolean): [OurSide, OurSide] {
  const a = new OurSide();
  const b = new OurSide();
  a.save(persist, initSessionFromBundle(undefined, a.local, b.bundle()).record);
  return [a, b];
}

// ---- timing -----------------------------------------------------------------

/** Median ops/s over `rounds` interleaved slices of `ms` each (interleave.ts). */
export async function bench1to1(options: { rounds?: number; ms?: number } = {}): Promise<BenchRow[]> {
  const cases: Array<{ name: string; referenceName: string; ours: () => Promise<Op>; reference: () => Promise<Op>; bridge?: () => Promise<Op> }> = [
    {
      name: '1:1 round trip (records kept live)',
      referenceName: 'libsignal, live objects',
      ours: async () => {
        const [a, b] = ourPair(false);
        return () => ourRoundTrip(a, b, false);
      },
      reference: async () => {
        const [a, b] = await libPair(false);
        return () => libRoundTrip(a, b);
      },
    },
    {
      name: '1:1 round trip (record stored as bytes every call)',
      referenceName: 'libsignal, Baileys-style JSON store',
      ours: async () => {
        const [a, b] = ourPair(true);
        return () => ourRoundTrip(a, b, true);
      },
      reference: async () => {
        const [a, b] = await libPair(true);
        return () => libRoundTrip(a, b);
      },
      bridge: async () => {
        const pair = await bridgePair();
        return () => pair.roundTrip(PLAINTEXT);
      },
    },
    {
      name: 'session setup from a bundle',
      referenceName: 'libsignal initOutgoing',
      ours: async () => {
        const a = new OurSide();
        const bundle = new OurSide().bundle();
        return () => initSessionFromBundle(undefined, a.local, bundle);
      },
      reference: async () => {
        const a = new LibSide(false);
        const device = new LibSide(false).device(1);
        return () => new lib.SessionBuilder(a.storage, a.addr).initOutgoing(device);
      },
      bridge: async () => bridgeSetup(),
    },
  ];
  const rows: BenchRow[] = [];
  for (const c of cases) {
    const r = await interleave({ ours: await c.ours(), reference: await c.reference(), bridge: c.bridge ? await c.bridge() : undefined }, options);
    rows.push({ name: c.name, ours: r.ours, reference: r.reference, referenceName: c.referenceName, bridge: r.bridge });
  }
  return rows;
}

/**
 * Where a round trip's time goes: its curve work alone (per round trip 4 X25519
 * agreements, 2 key pairs made, 2 peer ratchet keys imported: what no
 * implementation can skip) against the whole round trip, for wad and the
 * bridge, measured in one run. The bridge's round trip over wad's curve work
 * is the best ratio wad could reach if everything else cost nothing.
 */
export async function floor1to1(options: { rounds?: number; ms?: number } = {}): Promise<string> {
  const [a, b] = ourPair(true);
  const pair = await bridgePair();
  const [ours, peer] = [generateKeyPair(), generateKeyPair()];
  const theirs = bridge.generateKeyPair();
  // More fresh peer keys than the key cache holds, so every import is a real one.
  const fresh = Array.from({ length: 4096 }, () => generateKeyPair().public);
  let at = 0;
  const r = await interleave(
    {
      ourRoundTrip: () => ourRoundTrip(a, b, true),
      bridgeRoundTrip: () => pair.roundTrip(PLAINTEXT),
      ourAgreement: () => sharedSecret(ours.private, peer.public),
      ourKeyPair: () => generateKeyPair(),
      ourImport: () => x25519PublicKeyObject(fresh[at++ & 4095]!),
      bridgeAgreement: () => bridge.calculateAgreement(toSignalPublicKey(peer.public), theirs.privKey),
      bridgeKeyPair: () => bridge.generateKeyPair(),
    },
    options,
  );
  const us = (opsPerSecond: number) => 1e6 / opsPerSecond;
  const ourCurve = 4 * us(r.ourAgreement) + 2 * us(r.ourKeyPair) + 2 * us(r.ourImport);
  const bridgeCurve = 4 * us(r.bridgeAgreement) + 2 * us(r.bridgeKeyPair);
  const f = (x: number) => x.toFixed(0);
  return [
    '| per 1:1 round trip (records as bytes) | wad µs | whatsapp-rust-bridge µs |',
    '|---|---:|---:|',
    `| whole round trip | ${f(us(r.ourRoundTrip))} | ${f(us(r.bridgeRoundTrip))} |`,
    `| one X25519 agreement | ${us(r.ourAgreement).toFixed(1)} | ${us(r.bridgeAgreement).toFixed(1)} |`,
    `| one key pair made | ${us(r.ourKeyPair).toFixed(1)} | ${us(r.bridgeKeyPair).toFixed(1)} |`,
    `| one peer key imported (node:crypto KeyObject) | ${us(r.ourImport).toFixed(1)} | — |`,
    `| curve work: 4 agreements + 2 key pairs (+ 2 imports) | ${f(ourCurve)} | ${f(bridgeCurve)} |`,
    `| everything else (KDF, AES, MACs, records, wire) | ${f(us(r.ourRoundTrip) - ourCurve)} | ${f(us(r.bridgeRoundTrip) - bridgeCurve)} |`,
    `| ratio now (wad / bridge, ops/s) | ${(r.ourRoundTrip / r.bridgeRoundTrip).toFixed(2)}× | |`,
    `| ceiling if wad's other work cost nothing (bridge round trip / wad curve work) | ${(us(r.bridgeRoundTrip) / ourCurve).toFixed(2)}× | |`,
  ].join('\n');
}

export function markdownTable(rows: readonly BenchRow[]): string {
  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  const ratio = (a: number, b: number) => `${(a / b).toFixed(a / b < 10 ? 2 : 1)}×`;
  return [
    '| operation | wad ops/s | reference | reference ops/s | wad / reference | whatsapp-rust-bridge ops/s | wad / bridge |',
    '|---|---:|---|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${f(r.ours)} | ${r.referenceName} | ${r.reference > 0 ? f(r.reference) : '—'} | ${r.reference > 0 ? ratio(r.ours, r.reference) : '—'} | ${r.bridge !== undefined ? f(r.bridge) : '—'} | ${r.bridge !== undefined ? ratio(r.ours, r.bridge) : '—'} |`,
    ),
  ].join('\n');
}

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const silent = () => {};
  console.info = silent; // libsignal logs every session it closes
  console.warn = silent;
  const options = { rounds: arg('rounds', 15), ms: arg('ms', 200) };
  const rows = await bench1to1(options);
  console.log(`Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end; ${options.rounds} interleaved slices of ${options.ms} ms, medians\n`);
  console.log(markdownTable(rows));
  console.log();
  console.log(await floor1to1(options));
}
