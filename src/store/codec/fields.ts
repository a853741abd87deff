/**
 * Typed reading of a decoded record map: each getter checks one field's type
 * and a wrong or missing field throws CORRUPT_RECORD naming the record and the
 * field. Owns field checks only; record layouts live in records/*.ts.
 */
import { StoreError } from '../errors.js';
import { decodeRecord, type Value, type ValueMap } from './value.js';

export class Fields {
  constructor(
    readonly record: string,
    readonly map: ValueMap,
  ) {}

  /** Decodes a stored record and checks its format version. @throws StoreError CORRUPT_RECORD */
  static of(record: string, bytes: Uint8Array, formatVersion: number): Fields {
    let decoded: ReturnType<typeof decodeRecord>;
    try {
      decoded = decodeRecord(bytes);
    } catch (err) {
      // Named, so that a report says which record is damaged, not only how.
      throw new StoreError('CORRUPT_RECORD', `${record}: ${(err as Error).message}`, { cause: err });
    }
    if (decoded.formatVersion !== formatVersion) {
      throw new StoreError('CORRUPT_RECORD', `${record}: unknown format version ${decoded.formatVersion} (expected ${formatVersion})`);
    }
    return Fields.from(record, decoded.value);
  }

  static from(record: string, value: Value | undefined): Fields {
    if (!isMap(value)) throw new StoreError('CORRUPT_RECORD', `${record}: not a map`);
    return new Fields(record, value);
  }

  #bad(field: string, expected: string): never {
    throw new StoreError('CORRUPT_RECORD', `${this.record}.${field}: expected ${expected}`);
  }

  bytes(field: string, length?: number): Uint8Array {
    const v = this.map[field];
    if (!(v instanceof Uint8Array) || (length !== undefined && v.length !== length)) {
      this.#bad(field, length === undefined ? 'bytes' : `${length} bytes`);
    }
    return v;
  }

  optBytes(field: string): Uint8Array | undefined {
    return this.map[field] === undefined ? undefined : this.bytes(field);
  }

  int(field: string): number {
    const v = this.map[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.#bad(field, 'an integer');
    return v;
  }

  optInt(field: string): number | undefined {
    return this.map[field] === undefined ? undefined : this.int(field);
  }

  str(field: string): string {
    const v = this.map[field];
    if (typeof v !== 'string') this.#bad(field, 'a string');
    return v;
  }

  optStr(field: string): string | undefined {
    return this.map[field] === undefined ? undefined : this.str(field);
  }

  bool(field: string): boolean {
    const v = this.map[field];
    if (typeof v !== 'boolean') this.#bad(field, 'a boolean');
    return v;
  }

  sub(field: string): Fields {
    const v = this.map[field];
    if (!isMap(v)) this.#bad(field, 'a map');
    return new Fields(`${this.record}.${field}`, v);
  }

  optSub(field: string): Fields | undefined {
    return this.map[field] === undefined ? undefined : this.sub(field);
  }

  list(field: string): readonly Value[] {
    const v = this.map[field];
    if (!Array.isArray(v)) this.#bad(field, 'a list');
    return v as readonly Value[];
  }

  /** Any value (for opaque payloads such as event data). */
  value(field: string): Value {
    const v = this.map[field];
    if (v === undefined) this.#bad(field, 'a value');
    return v;
  }
}

export function isMap(v: Value | undefined): v is ValueMap {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);
}
