/**
 * A compact binary encoding for structured records (a small CBOR-like subset):
 * null, booleans, numbers, strings, bytes, arrays and string-keyed maps.
 * Uint8Array fields survive as bytes (JSON would need base64, +33 %).
 * Owns the byte layout; must not know record types (records/*.ts do).
 *
 *   0x00 null            0x01 false          0x02 true
 *   0x03 uint  varint    0x09 negative int: varint of −n
 *   0x04 float64 (8 bytes big-endian)
 *   0x05 string varint length ‖ UTF-8       0x06 bytes varint length ‖ raw
 *   0x07 array  varint count ‖ items        0x08 map varint count ‖ (string, value)…
 *
 * Varints are unsigned LEB128 up to 2^53. Map keys keep insertion order;
 * `undefined` map values are left out, so optional fields cost nothing.
 */
import { StoreError } from '../errors.js';

export type Value = null | boolean | number | string | Uint8Array | readonly Value[] | ValueMap;
export interface ValueMap {
  readonly [key: string]: Value | undefined;
}

const T_NULL = 0x00;
const T_FALSE = 0x01;
const T_TRUE = 0x02;
const T_UINT = 0x03;
const T_FLOAT = 0x04;
const T_STRING = 0x05;
const T_BYTES = 0x06;
const T_ARRAY = 0x07;
const T_MAP = 0x08;
const T_NINT = 0x09;

/** Deeper structures are refused: a corrupt record must not overflow the stack. */
const MAX_DEPTH = 64;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

class Writer {
  buf = new Uint8Array(64);
  len = 0;

  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  varint(n: number): void {
    this.reserve(8);
    while (n >= 0x80) {
      this.buf[this.len++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.len++] = n;
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }
}

/** @throws StoreError BAD_VALUE for undefined at top level or in arrays, functions, cycles, class instances */
export function encodeValue(value: Value): Uint8Array {
  const w = new Writer();
  write(w, value, 0);
  return w.buf.slice(0, w.len);
}

/** Appends the encoding of `value` after a one-byte format version: the stored form of a record. */
export function encodeRecord(formatVersion: number, value: Value): Uint8Array {
  const w = new Writer();
  w.byte(formatVersion);
  write(w, value, 0);
  return w.buf.slice(0, w.len);
}

function write(w: Writer, v: Value, depth: number): void {
  if (depth > MAX_DEPTH) throw new StoreError('BAD_VALUE', 'value nested too deeply (or cyclic)');
  if (v === null) return w.byte(T_NULL);
  switch (typeof v) {
    case 'boolean':
      return w.byte(v ? T_TRUE : T_FALSE);
    case 'number':
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
        w.byte(v >= 0 ? T_UINT : T_NINT);
        return w.varint(Math.abs(v));
      }
      w.byte(T_FLOAT);
      w.reserve(8);
      new DataView(w.buf.buffer).setFloat64(w.len, v);
      w.len += 8;
      return;
    case 'string': {
      const bytes = encoder.encode(v);
      w.byte(T_STRING);
      w.varint(bytes.length);
      return w.raw(bytes);
    }
    case 'object':
      if (v instanceof Uint8Array) {
        w.byte(T_BYTES);
        w.varint(v.length);
        return w.raw(v);
      }
      if (Array.isArray(v)) {
        w.byte(T_ARRAY);
        w.varint(v.length);
        for (const item of v as readonly Value[]) {
          if (item === undefined) throw new StoreError('BAD_VALUE', 'undefined inside an array');
          write(w, item, depth + 1);
        }
        return;
      }
      if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) {
        throw new StoreError('BAD_VALUE', `cannot encode an instance of ${(v as object).constructor?.name ?? 'unknown'}`);
      }
      return writeMap(w, v as ValueMap, depth);
    default:
      throw new StoreError('BAD_VALUE', `cannot encode a ${typeof v}`);
  }
}

function writeMap(w: Writer, map: ValueMap, depth: number): void {
  const keys = Object.keys(map).filter((k) => map[k] !== undefined);
  w.byte(T_MAP);
  w.varint(keys.length);
  for (const k of keys) {
    const kb = encoder.encode(k);
    w.varint(kb.length);
    w.raw(kb);
    write(w, map[k]!, depth + 1);
  }
}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  fail(what: string): never {
    throw new StoreError('CORRUPT_RECORD', `corrupt record: ${what} at byte ${this.pos}`);
  }

  byte(): number {
    if (this.pos >= this.buf.length) this.fail('unexpected end');
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(n)) this.fail('varint out of range');
        return n;
      }
      scale *= 0x80;
    }
    return this.fail('varint too long');
  }

  take(n: number): Uint8Array {
    if (n > this.buf.length - this.pos) this.fail('length past the end');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  text(n: number): string {
    try {
      return decoder.decode(this.take(n));
    } catch (err) {
      if (err instanceof StoreError) throw err;
      return this.fail('invalid UTF-8');
    }
  }
}

/** @throws StoreError CORRUPT_RECORD */
export function decodeValue(bytes: Uint8Array): Value {
  const r = new Reader(bytes);
  const v = read(r, 0);
  if (r.pos !== bytes.length) r.fail('trailing bytes');
  return v;
}

/** Splits a stored record into its format version and value. @throws StoreError CORRUPT_RECORD */
export function decodeRecord(bytes: Uint8Array): { formatVersion: number; value: Value } {
  if (bytes.length < 2) throw new StoreError('CORRUPT_RECORD', 'corrupt record: too short');
  return { formatVersion: bytes[0]!, value: decodeValue(bytes.subarray(1)) };
}

function read(r: Reader, depth: number): Value {
  if (depth > MAX_DEPTH) r.fail('nested too deeply');
  const tag = r.byte();
  switch (tag) {
    case T_NULL:
      return null;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_UINT:
      return r.varint();
    case T_NINT: {
      const n = r.varint();
      return n === 0 ? r.fail('negative zero integer') : -n;
    }
    case T_FLOAT: {
      const b = r.take(8);
      return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0);
    }
    case T_STRING:
      return r.text(r.varint());
    case T_BYTES:
      // A copy (never a view: the input may be a cached record, or a Buffer whose slice() aliases).
      return new Uint8Array(r.take(r.varint()));
    case T_ARRAY: {
      const n = r.varint();
      if (n > r.buf.length - r.pos) r.fail('array count past the end');
      const out: Value[] = [];
      for (let i = 0; i < n; i++) out.push(read(r, depth + 1));
      return out;
    }
    case T_MAP: {
      const n = r.varint();
      if (n > r.buf.length - r.pos) r.fail('map count past the end');
      const out: Record<string, Value> = {};
      for (let i = 0; i < n; i++) {
        const k = r.text(r.varint());
        // Own data properties only: a stored "__proto__" key must not reach the prototype.
        Object.defineProperty(out, k, { value: read(r, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      return r.fail(`unknown tag 0x${tag.toString(16)}`);
  }
}
