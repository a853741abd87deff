/**
 * Bytes → BinaryNode, for bytes from the network. Owns the decoder of the
 * (already inflated) node format; must not inflate or read the flag byte
 * (frame.ts does) and must never throw anything but DecodeError.
 *
 * Every length is checked against what is left before it is used, node
 * count, node depth and string nesting are bounded, and the one construct that
 * backtracks (an INTEROP_JID whose server is optional) runs on a work budget,
 * so any input ends in linear time.
 *
 * Results match Baileys' decoder on everything it decodes sanely, including
 * its quirks: trailing bytes after the root node are ignored, an attribute
 * named '__proto__' is dropped (a plain-object assignment ignores it), and an
 * INTEROP_JID takes the next string as its server when one parses.
 * Binary content is a view into the input, not a copy.
 */
import { Buffer } from 'node:buffer';
import { jidEncode } from '../jid/codec.js';
import { serverForDomainType } from '../jid/servers.js';
import { DecodeError } from './errors.js';
import {
  AD_JID,
  BINARY_20,
  BINARY_32,
  BINARY_8,
  DICTIONARY_0,
  DICTIONARY_3,
  FB_JID,
  HEX_8,
  INTEROP_JID,
  JID_PAIR,
  LIST_16,
  LIST_8,
  LIST_EMPTY,
  NIBBLE_8,
} from './tags.js';
import { HEX_PAIRS, NIBBLE_PAIRS } from './packed.js';
import { DOUBLE_BYTE_FLAT, SINGLE_BYTE_TOKENS } from './tokens.js';
import { DEFAULT_DECODE_LIMITS, type BinaryNode, type DecodeLimits } from './types.js';

/** JID parts nest strings (a user that is itself a JID...); real stanzas nest two levels. */
const MAX_STRING_DEPTH = 32;
/** Strings shorter than this are read with a JS loop when ASCII; native decoding wins above. */
const SHORT_TEXT = 24;

class Reader {
  readonly bytes: Uint8Array;
  /** Buffer view of `bytes` for native UTF-8 decoding, made on first use (most stanzas are ASCII). */
  text: Buffer | undefined;
  readonly end: number;
  pos = 0;
  nodes = 0;
  /** String reads left; each normally consumes at least a byte, so only backtracking spends it faster. */
  work: number;
  readonly maxDepth: number;
  readonly maxNodes: number;

  constructor(bytes: Uint8Array, limits: DecodeLimits) {
    this.bytes = bytes;
    this.end = bytes.length;
    this.work = 2 * bytes.length + 64;
    this.maxDepth = limits.maxDepth;
    this.maxNodes = limits.maxNodes;
  }

  fail(code: 'TRUNCATED' | 'INVALID_TAG' | 'INVALID_NODE' | 'INVALID_PACKED' | 'INVALID_JID', message: string): never {
    throw new DecodeError(code, message, this.pos);
  }

  byte(): number {
    if (this.pos >= this.end) this.fail('TRUNCATED', 'unexpected end of node bytes');
    return this.bytes[this.pos++]!;
  }

  need(n: number): void {
    if (n > this.end - this.pos) this.fail('TRUNCATED', `${n} bytes announced, ${this.end - this.pos} left`);
  }

  uint16(): number {
    this.need(2);
    const b = this.bytes;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  /** 20-bit length; the top nibble of the first byte is not part of it. */
  uint20(): number {
    this.need(3);
    const b = this.bytes;
    const v = ((b[this.pos]! & 15) << 16) | (b[this.pos + 1]! << 8) | b[this.pos + 2]!;
    this.pos += 3;
    return v;
  }

  uint32(): number {
    this.need(4);
    const b = this.bytes;
    const v = b[this.pos]! * 0x1000000 + ((b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!);
    this.pos += 4;
    return v;
  }

  listSize(tag: number): number {
    if (tag === LIST_8) return this.byte();
    if (tag === LIST_16) return this.uint16();
    if (tag === LIST_EMPTY) return 0;
    return this.fail('INVALID_TAG', `byte ${tag} does not start a list`);
  }

  /** `n` bytes as UTF-8 (invalid sequences become U+FFFD, as Buffer#toString does). */
  utf8(n: number): string {
    this.need(n);
    const start = this.pos;
    this.pos += n;
    if (n < SHORT_TEXT) {
      const b = this.bytes;
      let s = '';
      for (let i = start; i < start + n; i++) {
        const c = b[i]!;
        if (c >= 0x80) return this.nativeUtf8(start, n);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.nativeUtf8(start, n);
  }

  nativeUtf8(start: number, n: number): string {
    const b = this.bytes;
    this.text ??= Buffer.from(b.buffer, b.byteOffset, b.length);
    return this.text.toString('utf8', start, start + n);
  }

  packed(tag: number): string {
    const head = this.byte();
    const n = head & 127;
    this.need(n);
    const b = this.bytes;
    let s = '';
    if (tag === NIBBLE_8) {
      for (let i = this.pos; i < this.pos + n; i++) {
        const pair = NIBBLE_PAIRS[b[i]!];
        if (pair === undefined) {
          this.pos = i;
          this.fail('INVALID_PACKED', `byte ${b[i]} is not two NIBBLE_8 values`);
        }
        s += pair;
      }
    } else {
      for (let i = this.pos; i < this.pos + n; i++) s += HEX_PAIRS[b[i]!]!;
    }
    this.pos += n;
    return head & 128 ? s.slice(0, -1) : s;
  }

  string(tag: number, depth: number): string {
    if (tag >= 1 && tag < DICTIONARY_0) return SINGLE_BYTE_TOKENS[tag]!;
    if (--this.work < 0) throw new DecodeError('TOO_MUCH_WORK', 'input re-reads itself too often', this.pos);
    if (depth > MAX_STRING_DEPTH) throw new DecodeError('TOO_DEEP', `strings nested deeper than ${MAX_STRING_DEPTH}`, this.pos);
    switch (tag) {
      case LIST_EMPTY:
        return '';
      case BINARY_8:
        return this.utf8(this.byte());
      case BINARY_20:
        return this.utf8(this.uint20());
      case BINARY_32:
        return this.utf8(this.uint32());
      case NIBBLE_8:
      case HEX_8:
        return this.packed(tag);
      case JID_PAIR:
        return this.jidPair(depth);
      case AD_JID: {
        const domainType = this.byte();
        const device = this.byte();
        const user = this.string(this.byte(), depth + 1);
        return jidEncode(user, serverForDomainType(domainType), device);
      }
      case FB_JID: {
        const user = this.string(this.byte(), depth + 1);
        const device = this.uint16();
        const server = this.string(this.byte(), depth + 1);
        return `${user}:${device}@${server}`;
      }
      case INTEROP_JID:
        return this.interopJid(depth);
      default:
        if (tag > DICTIONARY_3) return this.fail('INVALID_TAG', `byte ${tag} does not start a string`);
        return DOUBLE_BYTE_FLAT[((tag - DICTIONARY_0) << 8) | this.byte()]!;
    }
  }

  /** user '@' server, where a server that is itself a JID_PAIR is read in the same loop. */
  jidPair(depth: number): string {
    let prefix = '';
    for (;;) {
      const user = this.string(this.byte(), depth + 1);
      const tag = this.byte();
      if (tag === JID_PAIR) {
        prefix += user + '@';
        continue;
      }
      const server = this.string(tag, depth + 1);
      if (!server) this.fail('INVALID_JID', 'JID_PAIR without a server');
      return prefix + user + '@' + server;
    }
  }

  /** WhatsApp may leave out the server of an interop JID; then the next item is not a string. */
  interopJid(depth: number): string {
    const user = this.string(this.byte(), depth + 1);
    const device = this.uint16();
    const integrator = this.uint16();
    let server = 'interop';
    const before = this.pos;
    try {
      server = this.string(this.byte(), depth + 1);
    } catch (err) {
      if (!(err instanceof DecodeError) || err.code === 'TOO_MUCH_WORK' || err.code === 'TOO_DEEP') throw err;
      this.pos = before;
    }
    return `${integrator}-${user}:${device}@${server}`;
  }

  node(depth: number): BinaryNode {
    if (depth > this.maxDepth) throw new DecodeError('TOO_DEEP', `nodes nested deeper than ${this.maxDepth}`, this.pos);
    if (++this.nodes > this.maxNodes) throw new DecodeError('TOO_MANY_NODES', `more than ${this.maxNodes} nodes`, this.pos);
    const size = this.listSize(this.byte());
    const tag = this.string(this.byte(), 0);
    if (size === 0 || tag.length === 0) this.fail('INVALID_NODE', 'a node needs a list of at least one item and a tag');

    const attrs: Record<string, string> = {};
    for (let n = (size - 1) >> 1; n > 0; n--) {
      const key = this.string(this.byte(), 0);
      const value = this.string(this.byte(), 0);
      if (key !== '__proto__') attrs[key] = value;
    }

    let content: BinaryNode['content'];
    if ((size & 1) === 0) {
      const t = this.byte();
      if (t === LIST_8 || t === LIST_16 || t === LIST_EMPTY) {
        const count = this.listSize(t);
        const children: BinaryNode[] = [];
        for (let i = 0; i < count; i++) children.push(this.node(depth + 1));
        content = children;
      } else if (t === BINARY_8) {
        content = this.slice(this.byte());
      } else if (t === BINARY_20) {
        content = this.slice(this.uint20());
      } else if (t === BINARY_32) {
        content = this.slice(this.uint32());
      } else {
        content = this.string(t, 0);
      }
    }
    return { tag, attrs, content };
  }

  slice(n: number): Uint8Array {
    this.need(n);
    const b = this.bytes;
    const view = new Uint8Array(b.buffer, b.byteOffset + this.pos, n);
    this.pos += n;
    return view;
  }
}

/** Fills unset limits with the defaults. */
export function resolveLimits(limits?: Partial<DecodeLimits>): DecodeLimits {
  return limits ? { ...DEFAULT_DECODE_LIMITS, ...limits } : DEFAULT_DECODE_LIMITS;
}

/**
 * Decodes node bytes without the flag byte (already inflated). Bytes after the
 * root node are ignored.
 * @throws DecodeError (only) for malformed bytes or bytes over the limits.
 */
export function decodeNodeInner(bytes: Uint8Array, limits?: Partial<DecodeLimits>): BinaryNode {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('INVALID_INPUT', 'node bytes must be a Uint8Array');
  const resolved = resolveLimits(limits);
  if (bytes.length > resolved.maxBytes) {
    throw new DecodeError('TOO_LARGE', `${bytes.length} bytes is over the ${resolved.maxBytes}-byte limit`);
  }
  return new Reader(bytes, resolved).node(0);
}
