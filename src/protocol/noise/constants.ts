/**
 * Protocol constants of WhatsApp's Noise transport. These are wire facts
 * (Baileys' Defaults, whatsmeow's handshake.go); nothing here is tunable
 * except the limits, which are local policy.
 */

/**
 * The Noise protocol name, NUL-padded to exactly 32 bytes so that it is used
 * as the initial hash directly instead of being hashed (Noise hashes only a
 * protocol name longer than the hash).
 */
export const NOISE_MODE = new TextEncoder().encode('Noise_XX_25519_AESGCM_SHA256\0\0\0\0');

/** The dictionary version of the binary node tokens the client announces. */
export const DICT_VERSION = 3;

/**
 * The intro header the client sends once, in front of its first frame:
 * "WA", the protocol version 6 and DICT_VERSION. It is also the Noise prologue.
 */
export const WA_INTRO_HEADER = Uint8Array.of(0x57, 0x41, 6, DICT_VERSION);

/** The marker of the edge-routing pre-intro: "ED" 0x00 0x01, then a 3-byte length. */
export const ROUTING_PREFIX = Uint8Array.of(0x45, 0x44, 0x00, 0x01);

/** Routing info longer than this is refused (whatsapp-rust's limit for the pre-intro). */
export const MAX_ROUTING_INFO = 8192;

/** The largest length the 3-byte big-endian frame header can express. */
export const MAX_FRAME_LENGTH = 0xffffff;

/** The default limit of the frame decoder (16 MiB, whatsapp-rust's framing limit). */
export const DEFAULT_MAX_FRAME_SIZE = MAX_FRAME_LENGTH;

/** The AES-GCM tag appended to every encrypted payload. */
export const GCM_TAG_LENGTH = 16;

/**
 * WhatsApp's production root of the server certificate chain ("WhatsAppLongTerm1",
 * serial 0): it signs the intermediate certificate of every chat server.
 */
export const WA_ROOT_PUBLIC_KEY = Uint8Array.from(
  Buffer.from('142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b', 'hex'),
);
export const WA_ROOT_SERIAL = 0;
export const WA_ROOT_ISSUER = 'WhatsAppLongTerm1';
