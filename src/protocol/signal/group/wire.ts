/**
 * Wire formats of group messaging, as WhatsApp carries them:
 *
 *   skmsg (<enc type="skmsg">):  version ‖ SenderKeyMessage protobuf ‖ signature (64)
 *   SenderKeyDistributionMessage (Message.senderKeyDistributionMessage
 *     .axolotlSenderKeyDistributionMessage, sent inside a pkmsg/msg):
 *                                version ‖ SenderKeyDistributionMessage protobuf
 *
 * version = (3 << 4) | 3 = 0x33. The signature is XEdDSA over version ‖ protobuf
 * with the sender's signing key. Owns parsing and building these bytes only;
 * it holds no state and does not decrypt.
 */
import { fromSignalPublicKey, signWithSeed, toSignalPublicKey, xeddsaSign } from '../../crypto/index.js';
import { signal } from '../../proto/index.js';
import { GroupCipherError } from './errors.js';

export const SENDER_KEY_VERSION = 3;
const VERSION_BYTE = (SENDER_KEY_VERSION << 4) | SENDER_KEY_VERSION;
export const SIGNATURE_BYTES = 64;

export interface SenderKeyMessage {
  readonly keyId: number;
  readonly iteration: number;
  readonly ciphertext: Uint8Array;
  /** version ‖ protobuf: the signed bytes. */
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
}

export interface SenderKeyDistribution {
  readonly keyId: number;
  readonly iteration: number;
  readonly chainKey: Uint8Array;
  /** 32 bytes, without the 0x05 prefix. */
  readonly signingPublic: Uint8Array;
}

function checkVersion(byte: number, what: string): void {
  // libsignal rejects both older (legacy) and newer major versions.
  if (byte >> 4 !== SENDER_KEY_VERSION) {
    throw new GroupCipherError('BAD_VERSION', `${what} has version ${byte >> 4}, expected ${SENDER_KEY_VERSION}`);
  }
}

function withVersion(body: Uint8Array, extra: number): Uint8Array {
  const out = new Uint8Array(1 + body.length + extra);
  out[0] = VERSION_BYTE;
  out.set(body, 1);
  return out;
}

/**
 * Builds and signs an skmsg: with node:crypto when the key's Ed25519 `seed` is
 * given, else as XEdDSA with the private key. `random` (64 bytes) only makes
 * XEdDSA signatures reproducible in tests (seeded ones are deterministic).
 */
export function encodeSenderKeyMessage(
  fields: { keyId: number; iteration: number; ciphertext: Uint8Array },
  signingPrivate: Uint8Array,
  opts: { seed?: Uint8Array | undefined; random?: Uint8Array | undefined } = {},
): Uint8Array {
  const body = signal.SenderKeyMessage.encode({ id: fields.keyId, iteration: fields.iteration, ciphertext: fields.ciphertext }).finish();
  const out = withVersion(body, SIGNATURE_BYTES);
  const signed = out.subarray(0, 1 + body.length);
  out.set(opts.seed ? signWithSeed(opts.seed, signed) : xeddsaSign(signingPrivate, signed, opts.random), signed.length);
  return out;
}

/**
 * Splits an skmsg into its fields; does not verify the signature.
 * @throws GroupCipherError TRUNCATED, BAD_VERSION, BAD_MESSAGE
 */
export function decodeSenderKeyMessage(bytes: Uint8Array): SenderKeyMessage {
  if (bytes.length < 1 + SIGNATURE_BYTES) {
    throw new GroupCipherError('TRUNCATED', `skmsg of ${bytes.length} bytes is shorter than a version byte and a signature`);
  }
  checkVersion(bytes[0]!, 'skmsg');
  const signedEnd = bytes.length - SIGNATURE_BYTES;
  let m: signal.SenderKeyMessage;
  try {
    m = signal.SenderKeyMessage.decode(bytes.subarray(1, signedEnd));
  } catch (cause) {
    throw new GroupCipherError('BAD_MESSAGE', 'skmsg protobuf does not decode', { cause });
  }
  if (m.id == null || m.iteration == null || m.ciphertext == null) {
    throw new GroupCipherError('BAD_MESSAGE', 'skmsg lacks its key id, iteration or ciphertext');
  }
  return {
    keyId: m.id,
    iteration: m.iteration,
    ciphertext: m.ciphertext,
    signed: bytes.subarray(0, signedEnd),
    signature: bytes.subarray(signedEnd),
  };
}

export function encodeDistribution(d: SenderKeyDistribution): Uint8Array {
  const body = signal.SenderKeyDistributionMessage.encode({
    id: d.keyId,
    iteration: d.iteration,
    chainKey: d.chainKey,
    signingKey: toSignalPublicKey(d.signingPublic),
  }).finish();
  return withVersion(body, 0);
}

/** @throws GroupCipherError TRUNCATED, BAD_VERSION, BAD_DISTRIBUTION */
export function decodeDistribution(bytes: Uint8Array): SenderKeyDistribution {
  if (bytes.length < 1) throw new GroupCipherError('TRUNCATED', 'empty sender key distribution message');
  checkVersion(bytes[0]!, 'sender key distribution message');
  let m: signal.SenderKeyDistributionMessage;
  try {
    m = signal.SenderKeyDistributionMessage.decode(bytes.subarray(1));
  } catch (cause) {
    throw new GroupCipherError('BAD_DISTRIBUTION', 'sender key distribution protobuf does not decode', { cause });
  }
  const { id, iteration, chainKey, signingKey } = m;
  if (id == null || iteration == null || chainKey == null || signingKey == null) {
    throw new GroupCipherError('BAD_DISTRIBUTION', 'sender key distribution lacks its id, iteration, chain key or signing key');
  }
  if (chainKey.length !== 32) {
    throw new GroupCipherError('BAD_DISTRIBUTION', `chain key of ${chainKey.length} bytes, expected 32`);
  }
  let signingPublic: Uint8Array;
  try {
    signingPublic = fromSignalPublicKey(signingKey);
  } catch (cause) {
    throw new GroupCipherError('BAD_DISTRIBUTION', 'signing key is not a Curve25519 public key', { cause });
  }
  // Copies: the caller's message buffer must not be kept alive by (or alias) stored state.
  return { keyId: id, iteration, chainKey: new Uint8Array(chainKey), signingPublic: new Uint8Array(signingPublic) };
}
