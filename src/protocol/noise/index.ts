/**
 * WhatsApp's Noise transport (Noise_XX_25519_AESGCM_SHA256 with the `WA` intro):
 * handshake state machines for both roles, the server certificate chain, the
 * per-frame transport cipher and the 3-byte length framing. Pure: bytes in,
 * bytes out; sockets and timeouts belong to the runtime.
 */
export * from './errors.js';
export * from './constants.js';
export { encodeFrame, encodeIntro } from './frame.js';
export { FrameDecoder, type FrameDecoderOptions } from './frame-decoder.js';
export { NoiseTransport, type TransportKeys } from './transport.js';
export {
  CertChainVerdicts,
  makeCertChain,
  verifyCertChain,
  type CertChainSpec,
  type CertDetails,
  type VerifiedCertChain,
  type VerifyCertChainOptions,
} from './cert-chain.js';
export {
  clientHello,
  readServerHello,
  type ClientAwaitingServerHello,
  type ClientHandshakeResult,
  type ClientHelloOptions,
  type ReadServerHelloOptions,
} from './client.js';
export {
  readClientFinish,
  readClientHello,
  type ServerAwaitingClientFinish,
  type ServerHandshakeOptions,
  type ServerHandshakeResult,
} from './server.js';
export {
  decryptWithAd,
  encryptWithAd,
  initSymmetric,
  mixHash,
  mixKeys,
  split,
  type SymmetricState,
} from './symmetric.js';
