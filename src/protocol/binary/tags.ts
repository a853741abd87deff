/**
 * Byte values that mark the type of the next item in a binary node stream.
 * Owns the wire constants only. Values 1–235 are single-byte tokens, so every
 * marker lives at 0 or 236–255; 240–244 are unassigned and never valid.
 */

/** Empty list; as a string, the empty string; as a JID user, "no user". */
export const LIST_EMPTY = 0;
/** First of four double-byte token dictionaries (236–239): next byte indexes it. */
export const DICTIONARY_0 = 236;
export const DICTIONARY_3 = 239;
/** Interop JID: user, uint16 device, uint16 integrator, then (optionally) server. */
export const INTEROP_JID = 245;
/** Messenger JID: user, uint16 device, server. */
export const FB_JID = 246;
/** Device JID: domain-type byte, device byte, user; the server follows from the domain type. */
export const AD_JID = 247;
/** List with a one-byte length. */
export const LIST_8 = 248;
/** List with a two-byte big-endian length. */
export const LIST_16 = 249;
/** JID as user string (or LIST_EMPTY) then server string. */
export const JID_PAIR = 250;
/** Packed string of 0-9 A-F, two characters per byte. */
export const HEX_8 = 251;
/** Bytes with a one-byte length. */
export const BINARY_8 = 252;
/** Bytes with a 20-bit length in three bytes (top nibble of the first ignored). */
export const BINARY_20 = 253;
/** Bytes with a 32-bit big-endian length. */
export const BINARY_32 = 254;
/** Packed string of 0-9 '-' '.', two characters per byte. */
export const NIBBLE_8 = 255;

/** Longest string (in UTF-16 units) the encoder packs as NIBBLE_8 / HEX_8. */
export const PACKED_MAX = 127;

/** Nibble values of NIBBLE_8: 0-9 digits, 10 '-', 11 '.', 15 padding ('\0' when decoded). */
export const NIBBLE_DASH = 10;
export const NIBBLE_DOT = 11;
export const NIBBLE_PAD = 15;
