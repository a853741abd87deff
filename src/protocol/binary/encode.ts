/**
 * BinaryNode → bytes. Owns the encoder and its choice of representation for
 * every string; must not compress, frame for the socket or decode.
 *
 * The output is byte for byte what Baileys produces (bytes WhatsApp's servers
 * already accept): the same precedence (token > nibble > hex > JID > raw) and
 * the same lenient JID split. Two deliberate differences from Baileys, both on input it mangles:
 * - strings such as 'constructor' or '__proto__' are written raw (Baileys'
 *   token table is an object literal and writes byte 0 for them);
 * - 'user@' (a JID with an empty server) is written raw (Baileys writes a
 *   JID_PAIR that no decoder accepts).
 *
 * Speed: one growing Uint8Array with a cursor, reused between calls; no
 * closures per node; strings written as ASCII in a loop when short, with
 * Buffer#write (native UTF-8) otherwise.
 */
import { Buffer } from 'node:buffer';
import { jidDecode } from '../jid/codec.js';
import { EncodeError } from './errors.js';
import {
  AD_JID,
  BINARY_20,
  BINARY_32,
  BINARY_8,
  HEX_8,
  JID_PAIR,
  LIST_16,
  LIST_8,
  LIST_EMPTY,
  NIBBLE_8,
  NIBBLE_PAD,
  PACKED_MAX,
} from './tags.js';
import { HEX_VALUE, NIBBLE_VALUE, PACK_NIBBLE, PACK_NONE, packKind } from './packed.js';
import { MAX_TOKEN_LENGTH, TOKEN_CODES } from './tokens.js';
import type { BinaryNode } from './types.js';

/** Far deeper than any stanza; it exists to turn a cyclic node into an EncodeError. */
const MAX_ENCODE_DEPTH = 256;
const INITIAL_CAPACITY = 8 * 1024;
/** A scratch buffer that grew past this is dropped after use instead of kept. */
const KEEP_CAPACITY = 1024 * 1024;
/** Below this many UTF-16 units a string has at most 255 UTF-8 bytes (3 per unit). */
const SHORT_STRING = 86;

class Writer {
  buf: Uint8Array;
  /** Buffer view of `buf` for native UTF-8 writes. */
  view: Buffer;
  pos = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
    this.view = Buffer.from(this.buf.buffer, 0, capacity);
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < need) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = Buffer.from(next.buffer, 0, capacity);
  }

  byte(value: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = value;
  }

  listStart(size: number): void {
    this.ensure(3);
    const buf = this.buf;
    if (size === 0) {
      buf[this.pos++] = LIST_EMPTY;
    } else if (size < 256) {
      buf[this.pos++] = LIST_8;
      buf[this.pos++] = size;
    } else if (size < 65536) {
      buf[this.pos++] = LIST_16;
      buf[this.pos++] = size >>> 8;
      buf[this.pos++] = size & 0xff;
    } else {
      throw new EncodeError('TOO_MANY_ITEMS', `a list of ${size} items does not fit LIST_16`);
    }
  }

  /** BINARY_8/20/32 header; the thresholds are Baileys'. */
  byteLength(length: number): void {
    this.ensure(5);
    const buf = this.buf;
    if (length < 256) {
      buf[this.pos++] = BINARY_8;
      buf[this.pos++] = length;
    } else if (length < 1 << 20) {
      buf[this.pos++] = BINARY_20;
      buf[this.pos++] = length >>> 16;
      buf[this.pos++] = (length >>> 8) & 0xff;
      buf[this.pos++] = length & 0xff;
    } else if (length < 2 ** 32) {
      buf[this.pos++] = BINARY_32;
      buf[this.pos++] = length >>> 24;
      buf[this.pos++] = (length >>> 16) & 0xff;
      buf[this.pos++] = (length >>> 8) & 0xff;
      buf[this.pos++] = length & 0xff;
    } else {
      throw new EncodeError('TOO_LARGE', `${length} bytes do not fit BINARY_32`);
    }
  }

  bytes(data: Uint8Array): void {
    this.byteLength(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** UTF-8 text behind a BINARY_* header, lone surrogates as U+FFFD like Buffer.from(s). */
  raw(s: string): void {
    const len = s.length;
    if (len < SHORT_STRING) {
      this.ensure(2 + len * 3);
      const buf = this.buf;
      const start = this.pos + 2;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      const n = i === len ? len : this.view.write(s, start);
      buf[this.pos] = BINARY_8;
      buf[this.pos + 1] = n;
      this.pos = start + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.byteLength(n);
    this.ensure(n);
    this.view.write(s, this.pos);
    this.pos += n;
  }

  packed(s: string, kind: number): void {
    const len = s.length;
    const half = len >>> 1;
    this.ensure(2 + half + 1);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = kind === PACK_NIBBLE ? NIBBLE_8 : HEX_8;
    buf[p++] = (len & 1) === 0 ? half : (half + 1) | 0x80;
    const table = kind === PACK_NIBBLE ? NIBBLE_VALUE : HEX_VALUE;
    for (let i = 0; i < half; i++) {
      buf[p++] = (table[s.charCodeAt(2 * i)]! << 4) | table[s.charCodeAt(2 * i + 1)]!;
    }
    if ((len & 1) !== 0) buf[p++] = (table[s.charCodeAt(len - 1)]! << 4) | NIBBLE_PAD;
    this.pos = p;
  }

  string(s: string): void {
    // A loop rather than recursion: 'a@b@c' is JID_PAIR(a, JID_PAIR(b, c)), and
    // the server is always the last item written, so nesting never grows the stack.
    for (;;) {
      if (s.length === 0) {
        this.ensure(2);
        this.buf[this.pos++] = BINARY_8;
        this.buf[this.pos++] = 0;
        return;
      }
      const code = s.length <= MAX_TOKEN_LENGTH ? TOKEN_CODES.get(s) : undefined;
      if (code !== undefined) {
        this.ensure(2);
        if (code > 0xff) this.buf[this.pos++] = code >>> 8;
        this.buf[this.pos++] = code & 0xff;
        return;
      }
      if (s.length <= PACKED_MAX) {
        const kind = packKind(s);
        if (kind !== PACK_NONE) return this.packed(s, kind);
      }
      const jid = s.indexOf('@') < 0 ? undefined : jidDecode(s);
      if (jid === undefined) return this.raw(s);
      if (jid.device !== undefined) {
        // `x & 0xff` on purpose: agents, devices and NaN wrap exactly as in Baileys.
        this.ensure(3);
        this.buf[this.pos++] = AD_JID;
        this.buf[this.pos++] = (jid.domainType || 0) & 0xff;
        this.buf[this.pos++] = (jid.device || 0) & 0xff;
        return this.string(jid.user); // no '@' in a user: never recurses further
      }
      if (jid.server.length === 0) return this.raw(s);
      this.byte(JID_PAIR);
      if (jid.user.length === 0) this.byte(LIST_EMPTY);
      else this.string(jid.user);
      s = jid.server;
    }
  }

  node(node: BinaryNode, depth: number): void {
    if (depth > MAX_ENCODE_DEPTH) throw new EncodeError('TOO_DEEP', `nodes nested deeper than ${MAX_ENCODE_DEPTH}`);
    if (typeof node !== 'object' || node === null) throw new EncodeError('INVALID_NODE', `not a node: ${typeof node}`);
    const { tag, attrs, content } = node;
    if (typeof tag !== 'string' || tag.length === 0) throw new EncodeError('INVALID_NODE', 'a node needs a non-empty string tag');
    if (typeof attrs !== 'object' || attrs === null) throw new EncodeError('INVALID_ATTRS', `<${tag}> has no attrs object`);

    const keys = Object.keys(attrs);
    let attrCount = 0;
    for (let i = 0; i < keys.length; i++) {
      const value: unknown = attrs[keys[i]!];
      // Skipping undefined/null keeps `{ participant: maybe }` working, as in Baileys.
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string') {
        throw new EncodeError('INVALID_ATTRS', `<${tag}> attribute ${keys[i]} is a ${typeof value}, not a string`);
      }
      attrCount++;
    }
    this.listStart(2 * attrCount + 1 + (content === undefined ? 0 : 1));
    this.string(tag);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const value = attrs[key];
      if (typeof value !== 'string') continue;
      this.string(key);
      this.string(value);
    }

    if (content === undefined) return;
    if (typeof content === 'string') return this.string(content);
    if (content instanceof Uint8Array) return this.bytes(content);
    if (Array.isArray(content)) {
      this.listStart(content.length);
      for (let i = 0; i < content.length; i++) this.node(content[i]!, depth + 1);
      return;
    }
    throw new EncodeError('INVALID_CONTENT', `<${tag}> content must be a string, Uint8Array or node array`);
  }
}

let scratch: Writer | undefined;

function acquire(): Writer {
  const w = scratch ?? new Writer(INITIAL_CAPACITY);
  scratch = undefined; // a re-entrant call (from a getter) gets its own writer
  w.pos = 0;
  return w;
}

function release(w: Writer): void {
  scratch = w.buf.length > KEEP_CAPACITY ? new Writer(INITIAL_CAPACITY) : w;
}

/**
 * Encodes a node without the frame's flag byte.
 * @throws EncodeError for a node that does not fit BinaryNode or the wire format's limits.
 */
export function encodeNodeInner(node: BinaryNode): Uint8Array {
  const w = acquire();
  try {
    w.node(node, 0);
    return w.buf.slice(0, w.pos);
  } finally {
    release(w);
  }
}

/**
 * Encodes a node as an uncompressed frame payload: flag byte 0x00, then the node.
 * @throws EncodeError for a node that does not fit BinaryNode or the wire format's limits.
 */
export function encodeNode(node: BinaryNode): Uint8Array {
  const w = acquire();
  try {
    w.buf[0] = 0;
    w.pos = 1;
    w.node(node, 0);
    return w.buf.slice(0, w.pos);
  } finally {
    release(w);
  }
}
