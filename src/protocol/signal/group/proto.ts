/**
 * Protobuf encoding of the two group messages (proto/signal_wire.proto:
 * SenderKeyMessage {1 id, 2 iteration, 3 ciphertext} and
 * SenderKeyDistributionMessage {1 id, 2 iteration, 3 chainKey, 4 signingKey}),
 * written by hand for two reasons: the hot path of every group message then
 * allocates no message object, and the generated module's namespace import of
 * protobufjs (a CommonJS package) does not load under plain Node ESM, which is
 * how workers and dist/ run it (reported to the maintainers). Tests check this
 * codec against the generated one and against Baileys' bytes.
 *
 * Owns these bytes only. Decoding follows protobuf: fields in any order, the
 * last occurrence wins, unknown fields are skipped.
 */

export interface GroupProtoFields {
  /** Field 1, uint32. */
  id?: number;
  /** Field 2, uint32. */
  iteration?: number;
  /** Field 3 (ciphertext or chainKey), bytes. */
  bytes3?: Uint8Array;
  /** Field 4 (signingKey), bytes. */
  bytes4?: Uint8Array;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Uint8Array, o: number, n: number): number {
  while (n >= 0x80) {
    out[o++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[o++] = n;
  return o;
}

/** Encodes the present fields in field order (as protobufjs does). Numbers must be uint32. */
export function encodeGroupProto(f: GroupProtoFields): Uint8Array {
  let size = 0;
  if (f.id !== undefined) size += 1 + varintSize(f.id);
  if (f.iteration !== undefined) size += 1 + varintSize(f.iteration);
  if (f.bytes3) size += 1 + varintSize(f.bytes3.length) + f.bytes3.length;
  if (f.bytes4) size += 1 + varintSize(f.bytes4.length) + f.bytes4.length;
  const out = new Uint8Array(size);
  let o = 0;
  if (f.id !== undefined) {
    out[o++] = 0x08;
    o = writeVarint(out, o, f.id);
  }
  if (f.iteration !== undefined) {
    out[o++] = 0x10;
    o = writeVarint(out, o, f.iteration);
  }
  for (const [tag, b] of [[0x1a, f.bytes3], [0x22, f.bytes4]] as const) {
    if (!b) continue;
    out[o++] = tag;
    o = writeVarint(out, o, b.length);
    out.set(b, o);
    o += b.length;
  }
  return out;
}

export class ProtoDecodeError extends Error {
  override readonly name = 'ProtoDecodeError';
}

/**
 * Decodes fields 1–4; byte fields are views into `bytes`.
 * @throws ProtoDecodeError on truncation, a bad wire type for a known field,
 *   an over-long varint or a reserved wire type
 */
export function decodeGroupProto(bytes: Uint8Array): GroupProtoFields {
  const f: GroupProtoFields = {};
  let o = 0;
  // Varints as protobufjs reads them for uint32: the low 32 bits of up to 10 bytes.
  const varint = (): number => {
    let lo = 0;
    for (let i = 0; i < 10; i++) {
      if (o >= bytes.length) throw new ProtoDecodeError('truncated varint');
      const b = bytes[o++]!;
      if (i < 5) lo |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return lo >>> 0;
    }
    throw new ProtoDecodeError('varint longer than 10 bytes');
  };
  const skip = (n: number) => {
    if (n > bytes.length - o) throw new ProtoDecodeError('truncated field');
    o += n;
  };
  while (o < bytes.length) {
    const key = varint();
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 0) throw new ProtoDecodeError('field number 0');
    const known = field >= 1 && field <= 4;
    const wantWire = field <= 2 ? 0 : 2;
    if (known && wire !== wantWire) throw new ProtoDecodeError(`field ${field} has wire type ${wire}`);
    switch (wire) {
      case 0: {
        const v = varint();
        if (field === 1) f.id = v;
        else if (field === 2) f.iteration = v;
        break;
      }
      case 1:
        skip(8);
        break;
      case 2: {
        const len = varint();
        const start = o;
        skip(len);
        if (field === 3) f.bytes3 = bytes.subarray(start, o);
        else if (field === 4) f.bytes4 = bytes.subarray(start, o);
        break;
      }
      case 5:
        skip(4);
        break;
      default:
        throw new ProtoDecodeError(`wire type ${wire} is not supported`);
    }
  }
  return f;
}
