/**
 * Linking this account as a companion, the runtime side of
 * src/protocol/pairing: the QR string for each ref, pairing by code (the
 * hello, then the phone's notification and our companion_finish) and
 * pair-success (verify, store, countersign). Persist before you answer: the
 * new ADV secret is stored before companion_finish leaves, the linked
 * identity before pair-device-sign does, each in one transaction.
 *
 * PBKDF2 of the pairing code (131072 rounds) runs on libuv's thread pool,
 * never on the event loop the other accounts share.
 */
import { pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { BinaryNode } from '../protocol/binary/index.js';
import type { IqSpec } from '../protocol/iq/index.js';
import { linkCodeFinish, linkCodeHello } from '../protocol/iq/md.js';
import {
  buildPairDeviceSign,
  buildPairSuccessRefusal,
  buildQrString,
  companionFinish,
  CompanionPlatform,
  newPairingCode,
  normalizePhoneNumber,
  PAIRING_CODE_ITERATIONS,
  PAIRING_CODE_KEY_LENGTH,
  parsePairSuccess,
  parsePrimaryHello,
  PairingError,
  unwrapEphemeralPub,
  verifyAndSignDeviceIdentity,
  wrapEphemeralPub,
  wrappedSalt,
} from '../protocol/pairing/index.js';
import type { AccountStore } from '../store/index.js';
import { AccountError } from './errors.js';

const pbkdf2Async = promisify(pbkdf2);

async function codeKey(code: string, salt: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await pbkdf2Async(Buffer.from(code, 'utf8'), salt, PAIRING_CODE_ITERATIONS, PAIRING_CODE_KEY_LENGTH, 'sha256'));
}

export interface PairingDeps {
  readonly store: AccountStore;
  readonly logger: Logger;
  /** Writes a stanza on the current link (pairing runs before the account is online). */
  readonly sendNow: (node: BinaryNode) => void;
  readonly queryNow: <T>(spec: IqSpec<T>) => Promise<T>;
  /** How the phone lists us. */
  readonly browser: string;
  readonly os: string;
}

export type PairSuccessOutcome = { ok: true; jid: string } | { ok: false; reason: string };

export class Pairing {
  readonly #deps: PairingDeps;
  /** The code of the current hello (the phone's notification is opened with it). */
  #code: string | undefined;
  /** The phone the code was requested for (companion_finish names it again). */
  #phoneJid = '';

  constructor(deps: PairingDeps) {
    this.#deps = deps;
  }

  get code(): string | undefined {
    return this.#code;
  }

  /** The QR text for one pair-device ref. @throws AccountError BAD_STATE without credentials */
  qr(ref: string): string {
    const c = this.#creds();
    return buildQrString({ ref, noisePub: c.noiseKey.public, identityPub: c.identityKey.public, advSecret: c.advSecretKey, platformId: CompanionPlatform.CHROME });
  }

  /**
   * Stage 1 of pairing by code: makes a code, sends companion_hello and
   * resolves with the code once the server took it.
   * @throws PairingError BAD_CODE (phone number), AccountError BAD_STATE, ConnectionError, IqServerError
   */
  async requestCode(phone: string): Promise<string> {
    const digits = normalizePhoneNumber(phone);
    const c = this.#creds();
    const code = newPairingCode(randomBytes(5));
    const salt = randomBytes(32);
    const wrapped = wrapEphemeralPub(await codeKey(code, salt), salt, randomBytes(16), c.pairingEphemeralKeyPair.public);
    await this.#deps.store.transaction((tx) => tx.creds.update({ pairingCode: code }));
    this.#code = code;
    this.#phoneJid = `${digits}@s.whatsapp.net`;
    await this.#deps.queryNow(
      linkCodeHello({
        phoneJid: this.#phoneJid,
        wrappedEphemeralPub: wrapped,
        noisePub: c.noiseKey.public,
        platformId: String(CompanionPlatform.CHROME),
        platformDisplay: `${this.#deps.browser} (${this.#deps.os})`,
      }),
    );
    return code;
  }

  /**
   * The phone's `link_code_companion_reg` notification: opens its key, stores
   * the new ADV secret, sends companion_finish. Ignores other notifications.
   * @throws PairingError MALFORMED / BAD_KEY, ConnectionError, IqServerError, StoreError
   */
  async onNotification(stanza: BinaryNode): Promise<void> {
    const hello = parsePrimaryHello(stanza);
    if (!hello) return;
    const code = this.#code ?? this.#deps.store.creds?.pairingCode;
    if (!code) {
      this.#deps.logger.warn({}, 'pairing-code notification without a code of ours; ignored');
      return;
    }
    const c = this.#creds();
    const key = await codeKey(code, wrappedSalt(hello.wrappedPrimaryEphemeralPub));
    const finish = companionFinish({
      pairingEphemeral: c.pairingEphemeralKeyPair,
      identity: c.identityKey,
      primaryIdentityPub: hello.primaryIdentityPub,
      primaryEphemeralPub: unwrapEphemeralPub(key, hello.wrappedPrimaryEphemeralPub),
      random: randomBytes(32),
      salt: randomBytes(32),
      iv: randomBytes(12),
    });
    await this.#deps.store.transaction((tx) => tx.creds.update({ advSecretKey: finish.advSecret }));
    await this.#deps.queryNow(
      linkCodeFinish({ phoneJid: this.#phoneJid, wrappedKeyBundle: finish.wrappedKeyBundle, identityPub: c.identityKey.public, ref: hello.ref }),
    );
    this.#deps.logger.info({}, 'pairing code accepted by the phone; waiting for pair-success');
  }

  /**
   * `<pair-success>`: verifies the phone's signature over our identity,
   * stores the link, then answers with our countersignature. On a bad
   * signature it refuses and reports why (the account stays unlinked).
   */
  async onPairSuccess(stanza: BinaryNode): Promise<PairSuccessOutcome> {
    let id = stanza.attrs.id ?? '';
    try {
      const ps = parsePairSuccess(stanza)!;
      id = ps.id;
      const c = this.#creds();
      const v = verifyAndSignDeviceIdentity(ps.deviceIdentity, c.advSecretKey, c.identityKey);
      await this.#deps.store.transaction((tx) =>
        tx.creds.update({
          me: { id: ps.jid, lid: ps.lid, name: ps.businessName },
          account: v.account,
          platform: ps.platform,
          registered: true,
          pairingCode: undefined,
        }),
      );
      this.#deps.sendNow(buildPairDeviceSign(ps.id, v.keyIndex, v.reply));
      this.#deps.logger.info({ jid: ps.jid, keyIndex: v.keyIndex }, 'paired');
      return { ok: true, jid: ps.jid };
    } catch (err) {
      if (!(err instanceof PairingError)) throw err;
      this.#deps.logger.warn({ code: err.code }, `pair-success refused: ${err.message}`);
      this.#deps.sendNow(buildPairSuccessRefusal(id));
      return { ok: false, reason: `pairing failed: ${err.code}` };
    }
  }

  #creds() {
    const c = this.#deps.store.creds;
    if (!c) throw new AccountError('BAD_STATE', 'the account has no credentials yet');
    return c;
  }
}
