/**
 * The shape of a WhatsApp stanza as the codec sees it.
 * Owns types only.
 */

/**
 * One node of a stanza.
 *
 * Content after decoding:
 * - `BinaryNode[]` for a list (an empty list decodes to `[]`);
 * - `Uint8Array` for BINARY_8/20/32 content, i.e. raw bytes — including text
 *   that was sent raw (`content: 'hello'` encodes as bytes and decodes as
 *   bytes, exactly like Baileys);
 * - `string` for content sent as a token, a packed number/hex string or a JID;
 * - `undefined` when the node has no content.
 */
export interface BinaryNode {
  tag: string;
  attrs: Record<string, string>;
  content?: BinaryNode[] | Uint8Array | string;
}

/** Bounds applied while decoding untrusted bytes. */
export interface DecodeLimits {
  /** Largest node payload in bytes, after inflation (the frame itself is bounded by this too). */
  maxBytes: number;
  /** Deepest node nesting (the root is depth 0). */
  maxDepth: number;
  /** Most nodes in one stanza. */
  maxNodes: number;
}

/** 16 MiB matches the 24-bit frame length of the Noise transport. */
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxBytes: 16 * 1024 * 1024,
  maxDepth: 64,
  maxNodes: 500_000,
});
