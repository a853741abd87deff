/**
 * The server (responder) side of WhatsApp's Noise_XX handshake, for the
 * simulator: `readClientHello` on the first frame (after the intro, which
 * FrameDecoder strips) → send ServerHello; `readClientFinish` on the next
 * frame → the client's static key, its ClientPayload bytes and the transport.
 * Pure: the caller frames, and decodes the ClientPayload itself.
 */
import { generateKeyPair, type KeyPair } from '../crypto/index.js';
import { proto } from '../proto/index.js';
import { WA_INTRO_HEADER } from './constants.js';
import { NoiseError } from './errors.js';
import { agree, decodeHandshake, requireBytes } from './handshake-message.js';
import { decryptWithAd, encryptWithAd, initSymmetric, mixHash, mixKeys, split, type SymmetricState } from './symmetric.js';
import { NoiseTransport } from './transport.js';

export interface ServerHandshakeOptions {
  /** The server's static Noise key, named by the certificate chain's leaf. */
  staticKeyPair: KeyPair;
  /** The encoded CertChain (makeCertChain) sent encrypted in ServerHello.payload. */
  certChain: Uint8Array;
  /** This connection's ephemeral key (default: a fresh one). */
  ephemeral?: KeyPair;
  /** The intro header the client sent (default `WA` 6 3): the Noise prologue. */
  prologue?: Uint8Array;
}

/** The server after sending ServerHello, waiting for ClientFinish. */
export interface ServerAwaitingClientFinish {
  readonly role: 'server';
  readonly symmetric: SymmetricState;
  readonly ephemeral: KeyPair;
  readonly clientEphemeral: Uint8Array;
}

export interface ServerHandshakeResult {
  /** The client's long-term Noise key (creds.noiseKey.public), proven by the handshake. */
  clientStatic: Uint8Array;
  /** The decrypted ClientPayload protobuf bytes. */
  clientPayload: Uint8Array;
  /** The transport for every later frame (send and receive counters at 0). */
  transport: NoiseTransport;
}

/**
 * Reads the ClientHello frame payload; returns the ServerHello HandshakeMessage (unframed).
 * @throws NoiseError BAD_HANDSHAKE
 */
export function readClientHello(
  clientHello: Uint8Array,
  opts: ServerHandshakeOptions,
): { state: ServerAwaitingClientFinish; serverHello: Uint8Array } {
  const hello = decodeHandshake(clientHello, 'ClientHello').clientHello;
  if (!hello) throw new NoiseError('BAD_HANDSHAKE', 'expected a ClientHello');
  const clientEphemeral = requireBytes(hello.ephemeral, 'ClientHello.ephemeral', 32);
  const ephemeral = opts.ephemeral ?? generateKeyPair();
  const staticKey = opts.staticKeyPair;

  let s = mixHash(initSymmetric(opts.prologue ?? WA_INTRO_HEADER), clientEphemeral);
  s = mixHash(s, ephemeral.public);
  s = mixKeys(s, agree(ephemeral.private, clientEphemeral, 'client ephemeral'));
  const staticOut = encryptWithAd(s, staticKey.public);
  s = mixKeys(staticOut.state, agree(staticKey.private, clientEphemeral, 'client ephemeral'));
  const certOut = encryptWithAd(s, opts.certChain);
  const serverHello = proto.HandshakeMessage.encode({
    serverHello: { ephemeral: ephemeral.public, static: staticOut.ciphertext, payload: certOut.ciphertext },
  }).finish();
  return { state: { role: 'server', symmetric: certOut.state, ephemeral, clientEphemeral }, serverHello };
}

/**
 * Reads the ClientFinish frame payload and completes the handshake.
 * @throws NoiseError BAD_HANDSHAKE, DECRYPT
 */
export function readClientFinish(state: ServerAwaitingClientFinish, clientFinish: Uint8Array): ServerHandshakeResult {
  const finish = decodeHandshake(clientFinish, 'ClientFinish').clientFinish;
  if (!finish) throw new NoiseError('BAD_HANDSHAKE', 'expected a ClientFinish');
  const encryptedStatic = requireBytes(finish.static, 'ClientFinish.static');
  const encryptedPayload = requireBytes(finish.payload, 'ClientFinish.payload');

  // No mix between the certificate and the client's static key: this decrypt
  // runs at handshake counter 1, as WhatsApp's clients encrypt it.
  const staticStep = decryptWithAd(state.symmetric, encryptedStatic);
  const clientStatic = requireBytes(staticStep.plaintext, 'client static key', 32);
  const s = mixKeys(staticStep.state, agree(state.ephemeral.private, clientStatic, 'client static'));
  const payloadStep = decryptWithAd(s, encryptedPayload);
  return {
    clientStatic,
    clientPayload: payloadStep.plaintext,
    transport: NoiseTransport.forRole('server', split(payloadStep.state)),
  };
}
