/**
 * Companions that are not linked yet: their QR refs, their link-code hellos,
 * the device slot a phone reserved for them, and the wire half of the link —
 * `pair-device` refs, the `link_code_companion_reg` notification, `pair-success`,
 * the check of the companion's `pair-device-sign` and the final 515. The
 * phone (src/sim/phone) does the crypto that needs its keys and calls in
 * through PhoneHost (phone-bridge.ts).
 */
import { randomBytes } from 'node:crypto';
import { bytesEqual, xeddsaVerify } from '../protocol/crypto/index.js';
import { proto } from '../protocol/proto/index.js';
import { SimError } from './errors.js';
import { notifyDeviceChange } from './devices.js';
import type { Hub } from './hub.js';
import type { Registration } from './login.js';
import { bytesOf, child, iqResult, node, SERVER_JID, textOf, type BinaryNode } from './nodes.js';
import type { CodeLinkFinish, CompanionReservation, CompanionSlot, PendingCodeLink } from './phone-host.js';
import { deviceJid, PLATFORM_NAMES, type UserRecord } from './state.js';

/** The registering connection, as pairing needs it (session.ts). */
export interface RegisteringClient {
  readonly registration: Registration;
  send(stanza: BinaryNode): void;
  /** Sends a server IQ and resolves with the client's answer. @throws SimError PAIRING_FAILED on timeout/close */
  query(stanza: BinaryNode): Promise<BinaryNode>;
  streamError(code: number | undefined, child?: BinaryNode): void;
}

interface Pending {
  client: RegisteringClient;
  refs: string[];
  timer: NodeJS.Timeout;
  code?: PendingCodeLink & { phone: string; finish?: (f: CodeLinkFinish) => void; fail?: (e: Error) => void };
  slot?: CompanionSlot & { phone: string; platform: string };
}

/** The real account prefix for ADV signatures (hosted accounts use [6,5]). */
const ADV_DEVICE_SIGNATURE_PREFIX = Uint8Array.of(6, 1);

export class Pairing {
  readonly #hub: Hub;
  readonly #byRef = new Map<string, Pending>();
  readonly #byClient = new Map<RegisteringClient, Pending>();
  /** Latest link-code hello per phone number. */
  readonly #codeByPhone = new Map<string, Pending>();

  constructor(hub: Hub) {
    this.#hub = hub;
  }

  /** A fresh companion connected: remember it and send its QR refs (`pair-device`). */
  begin(client: RegisteringClient): void {
    const refs = Array.from({ length: this.#hub.limits.qrRefs }, () => newRef());
    const timer = setTimeout(() => client.streamError(408), this.#hub.limits.registrationTimeoutMs);
    timer.unref();
    const pending: Pending = { client, refs, timer };
    this.#byClient.set(client, pending);
    for (const r of refs) this.#byRef.set(r, pending);
    const pairDevice = node(
      'iq',
      { from: SERVER_JID, type: 'set', id: newIqId(), xmlns: 'md' },
      [node('pair-device', {}, refs.map((r) => node('ref', {}, new TextEncoder().encode(r))))],
    );
    client.query(pairDevice).catch(() => {});
  }

  /** The companion's socket closed before it was linked. */
  end(client: RegisteringClient): void {
    const p = this.#byClient.get(client);
    if (!p) return;
    clearTimeout(p.timer);
    this.#byClient.delete(client);
    for (const r of p.refs) this.#byRef.delete(r);
    if (p.code) {
      this.#byRef.delete(p.code.ref);
      if (this.#codeByPhone.get(p.code.phone) === p) this.#codeByPhone.delete(p.code.phone);
      p.code.fail?.(new SimError('PAIRING_FAILED', 'the companion disconnected'));
    }
  }

  /** `<link_code_companion_reg stage="companion_hello">`: remembered for the named phone; answers the ref. */
  companionHello(client: RegisteringClient, iq: BinaryNode, reg: BinaryNode): BinaryNode {
    const pending = this.#byClient.get(client);
    const phone = (reg.attrs.jid ?? '').split('@')[0]!.split(':')[0]!;
    const user = this.#hub.dir.user(phone);
    const wrapped = bytesOf(child(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub'));
    const noiseKey = bytesOf(child(reg, 'companion_server_auth_key_pub'));
    if (!pending || !user || wrapped?.length !== 80 || noiseKey?.length !== 32) {
      return node('iq', { type: 'error', id: iq.attrs.id ?? '', from: SERVER_JID }, [
        node('error', { code: user ? '400' : '404', text: user ? 'bad-request' : 'item-not-found' }),
      ]);
    }
    if (pending.code) this.#byRef.delete(pending.code.ref);
    const ref = newRef();
    pending.code = {
      phone,
      ref,
      wrappedCompanionEphemeralPub: wrapped,
      noiseKey,
      platformId: Number(textOf(child(reg, 'companion_platform_id')) ?? '0') || 0,
      platformDisplay: textOf(child(reg, 'companion_platform_display')) ?? '',
    };
    this.#byRef.set(ref, pending);
    this.#codeByPhone.set(phone, pending);
    return iqResult(iq, [
      node('link_code_companion_reg', {}, [node('link_code_pairing_ref', {}, new TextEncoder().encode(ref))]),
    ]);
  }

  pendingCodeLink(phone: string): PendingCodeLink | undefined {
    const code = this.#codeByPhone.get(phone)?.code;
    if (!code) return undefined;
    const { ref, wrappedCompanionEphemeralPub, noiseKey, platformId, platformDisplay } = code;
    return { ref, wrappedCompanionEphemeralPub, noiseKey, platformId, platformDisplay };
  }

  /** The phone answers a hello: notify the companion and wait for its `companion_finish`. */
  primaryHello(phone: string, req: { ref: string; primaryIdentityPub: Uint8Array; wrappedPrimaryEphemeralPub: Uint8Array }): Promise<CodeLinkFinish> {
    const pending = this.#byRef.get(req.ref);
    const code = pending?.code;
    if (!pending || !code || code.ref !== req.ref || code.phone !== phone) {
      return Promise.reject(new SimError('UNKNOWN_REF', `no link-code hello with ref ${req.ref} for ${phone}`));
    }
    return new Promise<CodeLinkFinish>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SimError('PAIRING_FAILED', 'companion_finish timed out')), this.#hub.limits.serverIqTimeoutMs);
      timer.unref();
      code.finish = (f) => {
        clearTimeout(timer);
        resolve(f);
      };
      code.fail = (e) => {
        clearTimeout(timer);
        reject(e);
      };
      pending.client.send(
        node('notification', { from: SERVER_JID, type: 'link_code_companion_reg', id: newIqId(), t: this.#hub.nowSeconds() }, [
          node('link_code_companion_reg', { stage: 'primary_hello' }, [
            node('link_code_pairing_ref', {}, new TextEncoder().encode(req.ref)),
            node('primary_identity_pub', {}, req.primaryIdentityPub),
            node('link_code_pairing_wrapped_primary_ephemeral_pub', {}, req.wrappedPrimaryEphemeralPub),
          ]),
        ]),
      );
    });
  }

  /** `<link_code_companion_reg stage="companion_finish">`: handed to the waiting phone. */
  companionFinish(client: RegisteringClient, iq: BinaryNode, reg: BinaryNode): BinaryNode {
    const pending = this.#byClient.get(client);
    const ref = textOf(child(reg, 'link_code_pairing_ref'));
    const wrappedKeyBundle = bytesOf(child(reg, 'link_code_pairing_wrapped_key_bundle'));
    const companionIdentityKey = bytesOf(child(reg, 'companion_identity_public'));
    const code = pending?.code;
    if (!code || ref !== code.ref || !wrappedKeyBundle || companionIdentityKey?.length !== 32 || !code.finish) {
      return node('iq', { type: 'error', id: iq.attrs.id ?? '', from: SERVER_JID }, [node('error', { code: '400', text: 'bad-request' })]);
    }
    const finish = code.finish;
    setImmediate(() => finish({ wrappedKeyBundle, companionIdentityKey }));
    return iqResult(iq);
  }

  /**
   * The phone picked a companion by ref: allocate its device id and key index.
   * @throws SimError UNKNOWN_REF, PAIRING_FAILED (keys differ from the companion's), LIMIT
   */
  reserve(user: UserRecord, req: CompanionReservation): CompanionSlot {
    const pending = this.#byRef.get(req.ref);
    if (!pending) throw new SimError('UNKNOWN_REF', `no companion is waiting with ref ${req.ref}`);
    const reg = pending.client.registration;
    if (!bytesEqual(reg.noiseKey, req.noiseKey) || !bytesEqual(reg.identityKey, req.identityKey)) {
      throw new SimError('PAIRING_FAILED', 'the keys do not match the waiting companion');
    }
    if (pending.slot) {
      if (pending.slot.phone !== user.phone) throw new SimError('PAIRING_FAILED', 'the companion is being linked by another phone');
      return publicSlot(pending.slot);
    }
    const taken = new Set<number>();
    for (const p of this.#byClient.values()) if (p.slot?.phone === user.phone) taken.add(p.slot.deviceId);
    const { deviceId, keyIndex } = this.#hub.dir.allocateCompanion(user, taken);
    const platformId = req.platformId || pending.code?.platformId || 0;
    pending.slot = {
      phone: user.phone,
      deviceId,
      keyIndex,
      deviceJid: deviceJid(user.phone, deviceId),
      lidJid: `${user.lidUser}:${deviceId}@lid`,
      platform: PLATFORM_NAMES[platformId] ?? (pending.code?.platformDisplay || 'Other'),
      ...(reg.history ? { history: reg.history } : {}),
    };
    return publicSlot(pending.slot);
  }

  /**
   * A companion linked without a pairing session, its keys taken as given: for
   * benchmarks that need thousands of linked accounts, where linking each by QR
   * takes minutes. No other device of the user is told of it.
   * @throws SimError LIMIT
   */
  seed(user: UserRecord, reg: Omit<Registration, 'history' | 'pushName'>, platform: string): CompanionSlot {
    const taken = new Set<number>();
    for (const p of this.#byClient.values()) if (p.slot?.phone === user.phone) taken.add(p.slot.deviceId);
    const { deviceId, keyIndex } = this.#hub.dir.allocateCompanion(user, taken);
    const slot: CompanionSlot = { deviceJid: deviceJid(user.phone, deviceId), lidJid: `${user.lidUser}:${deviceId}@lid`, deviceId, keyIndex };
    this.#hub.dir.addDevice(user, {
      jid: slot.deviceJid,
      deviceId,
      keyIndex,
      noiseKey: reg.noiseKey,
      identityKey: reg.identityKey,
      registrationId: reg.registrationId,
      signedPreKey: reg.signedPreKey,
      platform,
      linkedAt: this.#hub.now(),
    });
    this.#hub.onChange();
    return slot;
  }

  /**
   * Sends `pair-success` with the phone-signed identity, checks the
   * companion's `pair-device-sign`, stores the device and ends the socket
   * with 515 (the companion reconnects and logs in).
   * @throws SimError UNKNOWN_DEVICE, PAIRING_FAILED
   */
  async complete(user: UserRecord, req: { deviceJid: string; deviceIdentity: Uint8Array }): Promise<void> {
    const pending = [...this.#byClient.values()].find((p) => p.slot?.deviceJid === req.deviceJid && p.slot.phone === user.phone);
    if (!pending?.slot) throw new SimError('UNKNOWN_DEVICE', `no reserved companion ${req.deviceJid}`);
    const slot = pending.slot;
    const accountKey = user.devices.get(0)?.identityKey;
    if (!accountKey) throw new SimError('PAIRING_FAILED', 'the phone has not uploaded its identity');
    const answer = await pending.client.query(
      node('iq', { from: SERVER_JID, type: 'result', id: newIqId(), t: this.#hub.nowSeconds() }, [
        node('pair-success', {}, [
          node('device-identity', {}, req.deviceIdentity),
          node('platform', { name: 'android' }),
          node('device', { jid: slot.deviceJid, lid: slot.lidJid }),
        ]),
      ]),
    );
    const signed = bytesOf(child(child(answer, 'pair-device-sign'), 'device-identity'));
    if (answer.attrs.type !== 'result' || !signed) {
      pending.client.streamError(401);
      throw new SimError('PAIRING_FAILED', 'the companion refused pair-success');
    }
    const reg = pending.client.registration;
    if (!verifyDeviceSignature(signed, reg.identityKey, accountKey)) {
      pending.client.streamError(401);
      throw new SimError('PAIRING_FAILED', 'the companion device signature does not verify');
    }
    this.#hub.dir.addDevice(user, {
      jid: slot.deviceJid,
      deviceId: slot.deviceId,
      keyIndex: slot.keyIndex,
      noiseKey: reg.noiseKey,
      identityKey: reg.identityKey,
      registrationId: reg.registrationId,
      signedPreKey: reg.signedPreKey,
      platform: slot.platform,
      linkedAt: this.#hub.now(),
      deviceIdentity: signed,
    });
    this.#hub.stats.pairings++;
    this.#hub.onChange();
    this.end(pending.client);
    pending.client.streamError(515);
    notifyDeviceChange(this.#hub, user, 'add', slot.deviceJid, slot.keyIndex);
  }
}

/** The companion's signature over [6,1] ‖ details ‖ its identity ‖ the account key. */
export function verifyDeviceSignature(signedIdentity: Uint8Array, companionIdentity: Uint8Array, accountKey: Uint8Array): boolean {
  let signed: proto.ADVSignedDeviceIdentity;
  try {
    signed = proto.ADVSignedDeviceIdentity.decode(signedIdentity);
  } catch {
    return false;
  }
  const details = signed.details;
  const sig = signed.deviceSignature;
  if (!details || sig?.length !== 64) return false;
  const msg = Buffer.concat([ADV_DEVICE_SIGNATURE_PREFIX, details, companionIdentity, accountKey]);
  return xeddsaVerify(companionIdentity, msg, sig);
}

function publicSlot(s: CompanionSlot): CompanionSlot {
  return { deviceJid: s.deviceJid, lidJid: s.lidJid, deviceId: s.deviceId, keyIndex: s.keyIndex, ...(s.history ? { history: s.history } : {}) };
}

function newRef(): string {
  return `2@${randomBytes(24).toString('base64')}`;
}

export function newIqId(): string {
  return randomBytes(8).toString('hex');
}
