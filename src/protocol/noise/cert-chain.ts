/**
 * The server's certificate chain, carried encrypted in ServerHello.payload:
 * the root key signs the intermediate's details, the intermediate's key signs
 * the leaf's details, and the leaf names the server's static Noise key.
 *
 * `verifyCertChain` makes the checks WhatsApp's clients make (whatsmeow's
 * verifyServerCert, in its order), which are stricter than Baileys' (Baileys
 * checks neither the leaf serial nor the leaf key, and ignores its own verify
 * result). `makeCertChain` builds a chain for the simulator.
 */
import { bytesEqual, xeddsaSign, xeddsaVerify, type KeyPair } from '../crypto/index.js';
import { proto } from '../proto/index.js';
import { WA_ROOT_PUBLIC_KEY, WA_ROOT_SERIAL } from './constants.js';
import { NoiseError } from './errors.js';

export interface CertDetails {
  serial: number;
  issuerSerial: number;
  key: Uint8Array;
  /** Unix seconds; undefined when the certificate does not say. */
  notBefore: number | undefined;
  notAfter: number | undefined;
}

export interface VerifiedCertChain {
  intermediate: CertDetails;
  leaf: CertDetails;
}

export interface VerifyCertChainOptions {
  /** The static key the server proved in the handshake; the leaf must name it. */
  serverStatic: Uint8Array;
  /** The root the intermediate must be signed with (default: WhatsApp's production key). */
  rootPublicKey?: Uint8Array;
  /** The serial the intermediate must name as its issuer (default 0). */
  rootSerial?: number;
  /** Unix seconds; when given, both certificates must be valid at this time. */
  now?: number;
  /** Verdicts of chains checked before (one per daemon): a chain found good skips its signature checks. */
  verdicts?: CertChainVerdicts;
}

/**
 * Chains whose signatures were found good, by their exact bytes and the root
 * they were checked against. A daemon meets one or two distinct chains across
 * thousands of handshakes, and the two signature checks are most of a
 * handshake's cost: a chain seen before skips them. What ties a chain to one
 * handshake (the leaf naming the static key that handshake proved, and the
 * validity period) is checked every time, from the remembered details. Only
 * verdicts of chains that passed are kept; bounded (oldest dropped first).
 */
export class CertChainVerdicts {
  readonly #max: number;
  readonly #good = new Map<string, VerifiedCertChain>();

  constructor(max = 16) {
    this.#max = Math.max(1, max);
  }

  get size(): number {
    return this.#good.size;
  }

  get(key: string): VerifiedCertChain | undefined {
    return this.#good.get(key);
  }

  remember(key: string, chain: VerifiedCertChain): void {
    if (this.#good.size >= this.#max) this.#good.delete(this.#good.keys().next().value!);
    this.#good.set(key, chain);
  }
}

/**
 * @throws NoiseError CERT_MISSING, CERT_MALFORMED, CERT_ROOT_SIGNATURE, CERT_SERIAL,
 *   CERT_LEAF_SIGNATURE, CERT_KEY_MISMATCH, CERT_VALIDITY
 */
export function verifyCertChain(certChain: Uint8Array, opts: VerifyCertChainOptions): VerifiedCertChain {
  const root = opts.rootPublicKey ?? WA_ROOT_PUBLIC_KEY;
  const rootSerial = opts.rootSerial ?? WA_ROOT_SERIAL;
  const key = opts.verdicts && `${rootSerial}:${Buffer.from(root).toString('base64')}:${Buffer.from(certChain).toString('base64')}`;
  let signed = key !== undefined ? opts.verdicts!.get(key) : undefined;
  if (!signed) {
    signed = verifySignatures(certChain, root, rootSerial);
    if (key !== undefined) opts.verdicts!.remember(key, signed);
  }
  if (!bytesEqual(signed.leaf.key, opts.serverStatic)) {
    throw new NoiseError('CERT_KEY_MISMATCH', "leaf certificate key is not the server's static key");
  }
  if (opts.now !== undefined) {
    checkValidity(signed.intermediate, 'intermediate', opts.now);
    checkValidity(signed.leaf, 'leaf', opts.now);
  }
  return { intermediate: { ...signed.intermediate }, leaf: { ...signed.leaf } };
}

/** The chain's structure, both signatures and the serials that link root, intermediate and leaf. */
function verifySignatures(certChain: Uint8Array, root: Uint8Array, rootSerial: number): VerifiedCertChain {
  let chain: proto.CertChain;
  try {
    chain = proto.CertChain.decode(certChain);
  } catch (cause) {
    throw new NoiseError('CERT_MALFORMED', 'certificate chain does not decode', { cause });
  }
  const intermediate = chain.intermediate;
  const leaf = chain.leaf;
  if (!intermediate?.details || !intermediate.signature || !leaf?.details || !leaf.signature) {
    throw new NoiseError('CERT_MISSING', 'certificate chain lacks a certificate, details or signature');
  }
  if (intermediate.signature.length !== 64 || leaf.signature.length !== 64) {
    throw new NoiseError('CERT_MALFORMED', 'certificate signatures must be 64 bytes');
  }
  if (!xeddsaVerify(root, intermediate.details, intermediate.signature)) {
    throw new NoiseError('CERT_ROOT_SIGNATURE', 'intermediate certificate is not signed by the root key');
  }
  const inter = decodeDetails(intermediate.details, 'intermediate');
  if (inter.issuerSerial !== rootSerial) {
    throw new NoiseError('CERT_SERIAL', `intermediate issuer serial ${inter.issuerSerial}, expected ${rootSerial}`);
  }
  if (inter.key.length !== 32) throw new NoiseError('CERT_MALFORMED', `intermediate key of ${inter.key.length} bytes`);
  if (!xeddsaVerify(inter.key, leaf.details, leaf.signature)) {
    throw new NoiseError('CERT_LEAF_SIGNATURE', 'leaf certificate is not signed by the intermediate key');
  }
  const leafDetails = decodeDetails(leaf.details, 'leaf');
  if (leafDetails.issuerSerial !== inter.serial) {
    throw new NoiseError('CERT_SERIAL', `leaf issuer serial ${leafDetails.issuerSerial}, expected ${inter.serial}`);
  }
  return { intermediate: inter, leaf: leafDetails };
}

export interface CertChainSpec {
  rootPrivateKey: Uint8Array;
  intermediateKeyPair: KeyPair;
  /** The server's static Noise public key, named by the leaf. */
  serverStaticPublic: Uint8Array;
  /** The root's serial, written as the intermediate's issuer (default 0). */
  rootSerial?: number;
  intermediateSerial?: number;
  leafSerial?: number;
  /** Unix seconds, written into both certificates when given. */
  notBefore?: number;
  notAfter?: number;
}

/** An encoded CertChain for ServerHello.payload, signed as WhatsApp's servers sign theirs. */
export function makeCertChain(spec: CertChainSpec): Uint8Array {
  const intermediateSerial = spec.intermediateSerial ?? 1;
  const validity = { notBefore: spec.notBefore, notAfter: spec.notAfter };
  // issuerSerial is written even when 0: Baileys compares it with === and a
  // missing field decodes as null there.
  const intermediateDetails = encodeDetails({
    serial: intermediateSerial,
    issuerSerial: spec.rootSerial ?? WA_ROOT_SERIAL,
    key: spec.intermediateKeyPair.public,
    ...validity,
  });
  const leafDetails = encodeDetails({
    serial: spec.leafSerial ?? intermediateSerial + 1,
    issuerSerial: intermediateSerial,
    key: spec.serverStaticPublic,
    ...validity,
  });
  return proto.CertChain.encode({
    intermediate: { details: intermediateDetails, signature: xeddsaSign(spec.rootPrivateKey, intermediateDetails) },
    leaf: { details: leafDetails, signature: xeddsaSign(spec.intermediateKeyPair.private, leafDetails) },
  }).finish();
}

function encodeDetails(d: { serial: number; issuerSerial: number; key: Uint8Array; notBefore?: number | undefined; notAfter?: number | undefined }): Uint8Array {
  const message: proto.CertChain.NoiseCertificate.IDetails = { serial: d.serial, issuerSerial: d.issuerSerial, key: d.key };
  if (d.notBefore !== undefined) message.notBefore = d.notBefore;
  if (d.notAfter !== undefined) message.notAfter = d.notAfter;
  return proto.CertChain.NoiseCertificate.Details.encode(message).finish();
}

function decodeDetails(bytes: Uint8Array, which: string): CertDetails {
  let d: proto.CertChain.NoiseCertificate.Details;
  try {
    d = proto.CertChain.NoiseCertificate.Details.decode(bytes);
  } catch (cause) {
    throw new NoiseError('CERT_MALFORMED', `${which} certificate details do not decode`, { cause });
  }
  // Absent numbers read as 0, the protobuf default (as whatsmeow's getters do).
  return {
    serial: d.serial ?? 0,
    issuerSerial: d.issuerSerial ?? 0,
    key: d.key ?? new Uint8Array(0),
    notBefore: d.notBefore ?? undefined,
    notAfter: d.notAfter ?? undefined,
  };
}

function checkValidity(d: CertDetails, which: string, now: number): void {
  if ((d.notBefore !== undefined && now < d.notBefore) || (d.notAfter !== undefined && now > d.notAfter)) {
    throw new NoiseError('CERT_VALIDITY', `${which} certificate is not valid at ${now} (${d.notBefore}..${d.notAfter})`);
  }
}
