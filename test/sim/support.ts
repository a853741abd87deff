/**
 * An in-memory world for routing and IQ unit tests: a Hub with users and
 * devices put straight into the directory, and fake live sessions that
 * record what the server sends them. No sockets, no phones.
 */
import { generateKeyPair, xeddsaSign } from '../../src/protocol/crypto/index.js';
import { Hub, type LiveSession } from '../../src/sim/hub.js';
import { DEFAULT_LIMITS, type SimLimits } from '../../src/sim/limits.js';
import type { BinaryNode } from '../../src/sim/nodes.js';
import { deviceJid, type UserRecord } from '../../src/sim/state.js';

export class FakeSession implements LiveSession {
  readonly sent: BinaryNode[] = [];
  streamErrors: Array<{ code: number | undefined; child?: BinaryNode | undefined }> = [];
  terminated = false;
  delay = 0;
  constructor(
    readonly deviceJid: string,
    readonly phone: string,
  ) {}
  send(stanza: BinaryNode): void {
    this.sent.push(stanza);
  }
  streamError(code: number | undefined, child?: BinaryNode): void {
    this.streamErrors.push({ code, child });
  }
  terminate(): void {
    this.terminated = true;
  }
  setDelay(ms: number): void {
    this.delay = ms;
  }
  /** What was sent with this tag, in order. */
  of(tag: string): BinaryNode[] {
    return this.sent.filter((n) => n.tag === tag);
  }
}

export const CLOCK = 1_790_000_000_000;

export function makeHub(limits: Partial<SimLimits> = {}): Hub {
  return new Hub({ ...DEFAULT_LIMITS, offlineBatchWaitMs: 0, ...limits }, () => CLOCK);
}

/** A user with companions 1..companions, each with keys, a bundle and 3 one-time prekeys. */
export function addUser(hub: Hub, phone: string, companions: number): UserRecord {
  const user = hub.dir.addUser(phone, `name-${phone}`, CLOCK);
  for (let d = 0; d <= companions; d++) {
    const identity = generateKeyPair();
    const spk = generateKeyPair();
    const rec = {
      jid: deviceJid(phone, d),
      deviceId: d,
      keyIndex: d,
      platform: d === 0 ? 'phone' : 'Chrome',
      linkedAt: CLOCK,
      identityKey: identity.public,
      registrationId: 100 + d,
      signedPreKey: { keyId: 1, publicKey: spk.public, signature: xeddsaSign(identity.private, Uint8Array.of(5, ...spk.public)) },
      noiseKey: generateKeyPair().public,
    };
    hub.dir.addDevice(user, rec);
    hub.prekeys.add(rec.jid, [1, 2, 3].map((keyId) => ({ keyId, publicKey: generateKeyPair().public })));
    if (d > 0) user.nextKeyIndex = d + 1;
  }
  return user;
}

/** Attaches a fake session for a device; the login stanzas it got are cleared. */
export function online(hub: Hub, user: UserRecord, deviceId: number): FakeSession {
  const s = new FakeSession(deviceJid(user.phone, deviceId), user.phone);
  hub.attach(s, user, deviceId);
  return s;
}

export function enc(type: string, byte: number): BinaryNode {
  return { tag: 'enc', attrs: { v: '2', type }, content: Uint8Array.of(byte) };
}

export function to(jid: string, ...encs: BinaryNode[]): BinaryNode {
  return { tag: 'to', attrs: { jid }, content: encs };
}
