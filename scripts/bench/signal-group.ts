// Group messaging and the key primitives under it: wad against Baileys'
// group cipher / libsignal-node's curve and whatsapp-rust-bridge (whatsapp-rust
// compiled to WASM) in the same run. wad and the bridge load every record from
// bytes and store it back as bytes on every call; Baileys keeps live objects
// (its fastest setting).
//
//   npx tsx scripts/bench/signal-group.ts [--rounds 15] [--ms 200] [--only <words in a row's name>]
//
// `benchGroup()` is also called by scripts/bench/signal.ts.
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { generateKeyPair, generateSeededSigningKey, sharedSecret, signWithSeed, toSignalPublicKey, xeddsaSign, xeddsaVerify } from '../../src/protocol/crypto/index.js';
import * as group from '../../src/protocol/signal/group/index.js';
import * as signal from '../../src/protocol/signal/index.js';
import { BridgeDevice, BridgeGroupSender, bridgeKeyPair, bridgeSign, bridgeVerify } from './bridge-signal.js';
import { interleave, type InterleaveOptions, type Op } from './interleave.js';
import { markdownTable, type BenchRow } from './signal-1to1.js';
import { BaileysChain } from './baileys-group.js';
import * as bridge from 'whatsapp-rust-bridge';

const require = createRequire(import.meta.url);
const libCurve = require('libsignal/src/curve.js') as {
  calculateSignature(priv: Buffer, msg: Buffer): Buffer;
  verifySignature(pub: Buffer, msg: Buffer, sig: Buffer): boolean;
  calculateAgreement(pub: Buffer, priv: Buffer): Buffer;
  generateKeyPair(): { pubKey: Buffer; privKey: Buffer };
};

const PLAINTEXT = new Uint8Array(120).fill(0x61);
const DEVICES = 100;

/** `count` in-order skmsgs of one of our senders, and a fresh receiver's stored record. */
function ourStream(count: number): { start: Uint8Array; messages: Uint8Array[] } {
  let { record, distribution } = group.createSenderKeyDistribution(undefined);
  const messages: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const out = group.groupEncrypt(record, PLAINTEXT);
    record = out.record;
    messages.push(out.ciphertext);
  }
  return { start: group.serializeSenderKeyRecord(group.processSenderKeyDistribution(undefined, distribution)), messages };
}

/** Decrypts of a stream in order, the record through its bytes each time, restarting at the stream's end. */
function ourDecrypts(count: number): Op {
  const { start, messages } = ourStream(count);
  let [record, at] = [start, 0];
  return () => {
    if (at === messages.length) [record, at] = [start, 0];
    record = group.serializeSenderKeyRecord(group.groupDecrypt(group.deserializeSenderKeyRecord(record), messages[at++]!).record);
  };
}

async function bridgeDecrypts(count: number): Promise<Op> {
  const sender = await new BridgeGroupSender().init();
  const messages: Uint8Array[] = [];
  for (let i = 0; i < count; i++) messages.push(await sender.encrypt(PLAINTEXT));
  let [receiver, at] = [await sender.receiver(), 0];
  return async () => {
    if (at === messages.length) [receiver, at] = [await sender.receiver(), 0];
    await receiver.decrypt(messages[at++]!);
  };
}

async function baileysDecrypts(count: number): Promise<Op> {
  const sender = new BaileysChain();
  const distribution = await sender.distribution();
  const messages: Uint8Array[] = [];
  for (let i = 0; i < count; i++) messages.push(await sender.encrypt(PLAINTEXT));
  const fresh = async () => {
    const r = new BaileysChain();
    await r.process(distribution);
    return r;
  };
  let [receiver, at] = [await fresh(), 0];
  return async () => {
    if (at === messages.length) [receiver, at] = [await fresh(), 0];
    await receiver.decrypt(messages[at++]!);
  };
}

/** Our first message to `n` devices with a new sender key, every record as bytes. */
function ourFanout(n: number): Op {
  const me = { identityKey: signal.generateIdentityKeyPair(), registrationId: signal.generateRegistrationId() };
  const stored = Array.from({ length: n }, () => {
    const peer = { identityKey: signal.generateIdentityKeyPair(), registrationId: signal.generateRegistrationId() };
    const signed = signal.generateSignedPreKey(peer.identityKey, 1);
    const bundle = { registrationId: peer.registrationId, identityKey: peer.identityKey.public, signedPreKey: { keyId: 1, publicKey: signed.keyPair.public, signature: signed.signature } };
    return signal.serializeSessionRecord(signal.initSessionFromBundle(undefined, me, bundle).record);
  });
  return () => {
    const { record, distribution } = group.createSenderKeyDistribution(undefined);
    group.serializeSenderKeyRecord(group.groupEncrypt(group.deserializeSenderKeyRecord(group.serializeSenderKeyRecord(record)), PLAINTEXT).record);
    const payload = signal.padMessage(distribution);
    for (let i = 0; i < n; i++) stored[i] = signal.serializeSessionRecord(signal.encryptMessage(signal.deserializeSessionRecord(stored[i]!), me, payload).record);
  };
}

async function bridgeFanout(n: number): Promise<Op> {
  const me = new BridgeDevice();
  const ciphers: bridge.SessionCipher[] = [];
  for (let i = 0; i < n; i++) {
    const address = new bridge.ProtocolAddress(`1555000${String(i).padStart(4, '0')}`, 0);
    await new bridge.SessionBuilder(me.storage, address).initOutgoing(new BridgeDevice().bundle(1));
    ciphers.push(new bridge.SessionCipher(me.storage, address));
  }
  // Our own sender key in our own store, made anew each time (the stored one dropped first).
  const groupId = '120363000000000001@g.us';
  const self = new bridge.ProtocolAddress('15550009999', 0);
  const name = new bridge.SenderKeyName(groupId, self);
  const builder = new bridge.GroupSessionBuilder(me.storage);
  const groupCipher = new bridge.GroupCipher(me.storage, groupId, self);
  return async () => {
    me.senderKeys.clear();
    const skdm = await builder.create(name);
    const distribution = skdm.serialize();
    skdm.free();
    await groupCipher.encrypt(PLAINTEXT);
    const payload = signal.padMessage(distribution);
    for (const c of ciphers) await c.encrypt(payload);
  };
}

/** Median ops/s of each row's contenders; a missing contender leaves its column empty. */
export async function benchGroup(options: InterleaveOptions & { only?: string } = {}): Promise<BenchRow[]> {
  const message = new Uint8Array(150).fill(0x33);
  const seeded = generateSeededSigningKey();
  const identity = generateKeyPair();
  const libKey = libCurve.generateKeyPair();
  const bKey = bridgeKeyPair();
  const peer = generateKeyPair();
  const identitySig = xeddsaSign(identity.private, message);
  const libSig = libCurve.calculateSignature(libKey.privKey, Buffer.from(message));
  const bSig = bridgeSign(bKey.privKey, message);
  const rows: Array<{ name: string; referenceName: string; ours: () => Promise<Op>; reference?: () => Promise<Op>; bridge: () => Promise<Op> }> = [
    {
      name: 'group encrypt (one skmsg; sender key record as bytes every call)',
      referenceName: 'Baileys GroupCipher.encrypt, live record',
      ours: async () => {
        let r = group.serializeSenderKeyRecord(group.createSenderKeyDistribution(undefined).record);
        return () => void (r = group.serializeSenderKeyRecord(group.groupEncrypt(group.deserializeSenderKeyRecord(r), PLAINTEXT).record));
      },
      reference: async () => {
        const s = new BaileysChain();
        await s.distribution();
        return () => s.encrypt(PLAINTEXT);
      },
      bridge: async () => {
        const s = await new BridgeGroupSender().init();
        return () => s.encrypt(PLAINTEXT);
      },
    },
    {
      name: 'group decrypt (in-order skmsg; record as bytes every call)',
      referenceName: 'Baileys GroupCipher.decrypt, live record',
      ours: async () => ourDecrypts(3000),
      reference: () => baileysDecrypts(3000),
      bridge: () => bridgeDecrypts(3000),
    },
    {
      name: 'group encrypt + decrypt (both records as bytes)',
      referenceName: 'Baileys, live records',
      ours: async () => {
        let { record, distribution } = group.createSenderKeyDistribution(undefined);
        let [s, r] = [group.serializeSenderKeyRecord(record), group.serializeSenderKeyRecord(group.processSenderKeyDistribution(undefined, distribution))];
        return () => {
          const out = group.groupEncrypt(group.deserializeSenderKeyRecord(s), PLAINTEXT);
          s = group.serializeSenderKeyRecord(out.record);
          r = group.serializeSenderKeyRecord(group.groupDecrypt(group.deserializeSenderKeyRecord(r), out.ciphertext).record);
        };
      },
      reference: async () => {
        const [s, r] = [new BaileysChain(), new BaileysChain()];
        await r.process(await s.distribution());
        return async () => void (await r.decrypt(await s.encrypt(PLAINTEXT)));
      },
      bridge: async () => {
        const s = await new BridgeGroupSender().init();
        const r = await s.receiver();
        return async () => void (await r.decrypt(await s.encrypt(PLAINTEXT)));
      },
    },
    {
      name: `group send to ${DEVICES} devices, first message (new sender key, skmsg, SKDM into ${DEVICES} pkmsg sessions; records as bytes)`,
      referenceName: '',
      ours: async () => ourFanout(DEVICES),
      bridge: () => bridgeFanout(DEVICES),
    },
    {
      name: 'signature with our sender key (150 B; wad: seeded Ed25519 in node:crypto)',
      referenceName: 'libsignal curve25519-js',
      ours: async () => () => signWithSeed(seeded.seed, message),
      reference: async () => () => libCurve.calculateSignature(libKey.privKey, Buffer.from(message)),
      bridge: async () => () => bridgeSign(bKey.privKey, message),
    },
    {
      name: 'XEdDSA signature with any Curve25519 key (identity key; wad: @noble/curves)',
      referenceName: 'libsignal curve25519-js',
      ours: async () => () => xeddsaSign(identity.private, message),
      reference: async () => () => libCurve.calculateSignature(libKey.privKey, Buffer.from(message)),
      bridge: async () => () => bridgeSign(bKey.privKey, message),
    },
    {
      name: 'XEdDSA verify',
      referenceName: 'libsignal curve25519-js',
      ours: async () => () => xeddsaVerify(identity.public, message, identitySig),
      reference: async () => () => libCurve.verifySignature(libKey.pubKey, Buffer.from(message), libSig),
      bridge: async () => () => bridgeVerify(bKey.pubKey, message, bSig),
    },
    {
      name: 'X25519 agreement',
      referenceName: 'libsignal curve (node:crypto, DER import per call)',
      ours: async () => () => sharedSecret(identity.private, peer.public),
      reference: async () => () => libCurve.calculateAgreement(Buffer.from(toSignalPublicKey(peer.public)), libKey.privKey),
      bridge: async () => () => bridge.calculateAgreement(toSignalPublicKey(peer.public), bKey.privKey),
    },
  ];
  const out: BenchRow[] = [];
  for (const row of rows) {
    if (options.only && !row.name.includes(options.only)) continue;
    const r = await interleave({ ours: await row.ours(), reference: row.reference ? await row.reference() : undefined, bridge: await row.bridge() }, options);
    out.push({ name: row.name, ours: r.ours, reference: r.reference ?? 0, referenceName: row.referenceName || '—', bridge: r.bridge });
  }
  return out;
}

/**
 * Where a group encrypt's time goes: its signature alone against the whole
 * encrypt (records as bytes), for wad and the bridge, in one run. The
 * bridge's encrypt over wad's signature is the best ratio wad could reach if
 * the chain step, message keys, AES-CBC and the record cost nothing.
 */
export async function floorGroup(options: InterleaveOptions = {}): Promise<string> {
  let stored = group.serializeSenderKeyRecord(group.createSenderKeyDistribution(undefined).record);
  const state = group.deserializeSenderKeyRecord(stored).states[0]!;
  const signed = group.decodeSenderKeyMessage(group.groupEncrypt(group.deserializeSenderKeyRecord(stored), PLAINTEXT).ciphertext).signed;
  const sender = await new BridgeGroupSender().init();
  const bKey = bridgeKeyPair();
  const r = await interleave(
    {
      ourEncrypt: () => void (stored = group.serializeSenderKeyRecord(group.groupEncrypt(group.deserializeSenderKeyRecord(stored), PLAINTEXT).record)),
      bridgeEncrypt: () => sender.encrypt(PLAINTEXT),
      ourSignature: () => signWithSeed(state.signingSeed!, signed),
      bridgeSignature: () => bridgeSign(bKey.privKey, signed),
    },
    options,
  );
  const us = (opsPerSecond: number) => 1e6 / opsPerSecond;
  const f = (x: number) => x.toFixed(1);
  return [
    `| per group encrypt (one skmsg, ${signed.length + 64}-byte message; record as bytes) | wad µs | whatsapp-rust-bridge µs |`,
    '|---|---:|---:|',
    `| whole encrypt | ${f(us(r.ourEncrypt))} | ${f(us(r.bridgeEncrypt))} |`,
    `| its signature alone | ${f(us(r.ourSignature))} | ${f(us(r.bridgeSignature))} |`,
    `| everything else (chain step, message keys, AES-CBC, record, wire) | ${f(us(r.ourEncrypt) - us(r.ourSignature))} | ${f(us(r.bridgeEncrypt) - us(r.bridgeSignature))} |`,
    `| ratio now (wad / bridge, ops/s) | ${(r.ourEncrypt / r.bridgeEncrypt).toFixed(2)}× | |`,
    `| ceiling if wad's other work cost nothing (bridge encrypt / wad signature) | ${(us(r.bridgeEncrypt) / us(r.ourSignature)).toFixed(2)}× | |`,
  ].join('\n');
}

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const only = process.argv.indexOf('--only');
  const options = { rounds: arg('rounds', 15), ms: arg('ms', 200), ...(only > 0 ? { only: process.argv[only + 1]! } : {}) };
  const rows = await benchGroup(options);
  console.log(`Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end; ${options.rounds} interleaved slices of ${options.ms} ms, medians\n`);
  console.log(markdownTable(rows));
  console.log();
  console.log(await floorGroup(options));
}
