/**
 * The client (initiator) side of WhatsApp's Noise_XX handshake as a pure state
 * machine: `clientHello` → send; `readServerHello` on the answer → send its
 * ClientFinish and switch to the returned transport. No I/O, no clock: the
 * caller frames the messages (frame.ts) and supplies the time if it wants
 * certificate validity checked.
 *
 *   -> e                      ClientHello{ephemeral}
 *   <- e, ee, s, es           ServerHello{ephemeral, static, payload = CertChain}
 *   -> s, se                  ClientFinish{static, payload = ClientPayload}
 */
import { generateKeyPair, type KeyPair } from '../crypto/index.js';
import { proto } from '../proto/index.js';
import { verifyCertChain, type CertChainVerdicts, type VerifiedCertChain } from './cert-chain.js';
import { WA_INTRO_HEADER } from './constants.js';
import { NoiseError } from './errors.js';
import { agree, decodeHandshake, requireBytes } from './handshake-message.js';
import { decryptWithAd, encryptWithAd, initSymmetric, mixHash, mixKeys, split, type SymmetricState } from './symmetric.js';
import { NoiseTransport } from './transport.js';

export interface ClientHelloOptions {
  /** The device's long-term Noise key (creds.noiseKey). */
  noiseKey: KeyPair;
  /** This connection's ephemeral key (default: a fresh one). */
  ephemeral?: KeyPair;
  /** The Noise prologue: the intro header sent in front of the first frame (default `WA` 6 3). */
  prologue?: Uint8Array;
}

/** The client after sending ClientHello, waiting for ServerHello. */
export interface ClientAwaitingServerHello {
  readonly role: 'client';
  readonly symmetric: SymmetricState;
  readonly noiseKey: KeyPair;
  readonly ephemeral: KeyPair;
}

export interface ReadServerHelloOptions {
  /** The ClientPayload protobuf bytes (login or registration) to send encrypted. */
  clientPayload: Uint8Array;
  /** The root the server's chain must lead to (default: WhatsApp's production key). */
  rootPublicKey?: Uint8Array;
  /** The root's serial (default 0). */
  rootSerial?: number;
  /** Unix seconds; when given, the certificates' validity periods are checked. */
  now?: number;
  /** Chains already found good (shared across handshakes): their signatures are not checked again. */
  certVerdicts?: CertChainVerdicts;
}

export interface ClientHandshakeResult {
  /** The ClientFinish HandshakeMessage to send as the next frame. */
  clientFinish: Uint8Array;
  /** The transport for every later frame (send and receive counters at 0). */
  transport: NoiseTransport;
  /** The server's static key, as proven by the handshake and named by the chain. */
  serverStatic: Uint8Array;
  certificates: VerifiedCertChain;
}

/** Starts a handshake; returns the ClientHello HandshakeMessage (unframed). */
export function clientHello(opts: ClientHelloOptions): { state: ClientAwaitingServerHello; clientHello: Uint8Array } {
  const ephemeral = opts.ephemeral ?? generateKeyPair();
  const symmetric = mixHash(initSymmetric(opts.prologue ?? WA_INTRO_HEADER), ephemeral.public);
  const message = proto.HandshakeMessage.encode({ clientHello: { ephemeral: ephemeral.public } }).finish();
  return { state: { role: 'client', symmetric, noiseKey: opts.noiseKey, ephemeral }, clientHello: message };
}

/**
 * Reads the ServerHello frame payload, verifies the server's static key and
 * certificate chain, and completes the handshake.
 * @throws NoiseError BAD_HANDSHAKE, DECRYPT, or a CERT_* code from verifyCertChain
 */
export function readServerHello(
  state: ClientAwaitingServerHello,
  serverHello: Uint8Array,
  opts: ReadServerHelloOptions,
): ClientHandshakeResult {
  const hello = decodeHandshake(serverHello, 'ServerHello').serverHello;
  if (!hello) throw new NoiseError('BAD_HANDSHAKE', 'expected a ServerHello');
  const serverEphemeral = requireBytes(hello.ephemeral, 'ServerHello.ephemeral', 32);
  const encryptedStatic = requireBytes(hello.static, 'ServerHello.static');
  const encryptedCerts = requireBytes(hello.payload, 'ServerHello.payload');

  let s = mixHash(state.symmetric, serverEphemeral);
  s = mixKeys(s, agree(state.ephemeral.private, serverEphemeral, 'server ephemeral'));
  const staticStep = decryptWithAd(s, encryptedStatic);
  const serverStatic = requireBytes(staticStep.plaintext, 'server static key', 32);
  s = mixKeys(staticStep.state, agree(state.ephemeral.private, serverStatic, 'server static'));
  const certStep = decryptWithAd(s, encryptedCerts);
  const certificates = verifyCertChain(certStep.plaintext, {
    serverStatic,
    rootPublicKey: opts.rootPublicKey,
    rootSerial: opts.rootSerial,
    now: opts.now,
    ...(opts.certVerdicts ? { verdicts: opts.certVerdicts } : {}),
  });

  const staticOut = encryptWithAd(certStep.state, state.noiseKey.public);
  s = mixKeys(staticOut.state, agree(state.noiseKey.private, serverEphemeral, 'server ephemeral'));
  const payloadOut = encryptWithAd(s, opts.clientPayload);
  const clientFinish = proto.HandshakeMessage.encode({
    clientFinish: { static: staticOut.ciphertext, payload: payloadOut.ciphertext },
  }).finish();
  return {
    clientFinish,
    transport: NoiseTransport.forRole('client', split(payloadOut.state)),
    serverStatic,
    certificates,
  };
}
