/**
 * Top-level framing of a HistorySync that arrives in pieces (inflated bytes
 * as a download streams in): which field comes next and, for a
 * length-delimited one, its complete bytes. Only one top-level entry (one
 * conversation, one push name...) is ever held; fields nobody wants and
 * entries over the size bound are dropped as their bytes arrive, never held.
 * Pure state over bytes given to it.
 */
import { HistoryError } from './errors.js';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './wire.js';

/** Pending input as the chunks it came in; a field spanning chunks is joined once, when complete. */
class ByteQueue {
  #chunks: Uint8Array[] = [];
  /** Bytes of #chunks[0] already consumed. */
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    // A Buffer view (no copy): protobufjs reads strings from Buffers with Node's
    // native UTF-8 decoder, from plain Uint8Arrays with a much slower JS one.
    this.#chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.#length += chunk.length;
  }

  /** A copy of the first min(n, length) bytes. */
  peek(n: number): Uint8Array {
    const out = Buffer.allocUnsafe(Math.min(n, this.#length));
    let at = 0;
    for (let i = 0, from = this.#head; at < out.length; i++, from = 0) {
      const part = this.#chunks[i]!.subarray(from, from + out.length - at);
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** The first n bytes (n ≤ length): a view when they lie in one chunk, else joined once. */
  take(n: number): Uint8Array {
    if (n === 0) return Buffer.alloc(0);
    const first = this.#chunks[0]!;
    if (first.length - this.#head >= n) {
      const out = first.subarray(this.#head, this.#head + n);
      this.drop(n);
      return out;
    }
    const out = this.peek(n);
    this.drop(n);
    return out;
  }

  drop(n: number): void {
    this.#length -= n;
    let left = n;
    while (left > 0) {
      const first = this.#chunks[0]!;
      const available = first.length - this.#head;
      if (available > left) {
        this.#head += left;
        return;
      }
      left -= available;
      this.#chunks.shift();
      this.#head = 0;
    }
  }
}

/** A tag and a varint value or length: at most 5 + 10 bytes. */
const MAX_HEADER = 15;

/** A varint at `pos`: [value, next position], undefined when the bytes end inside it. */
function varint(bytes: Uint8Array, pos: number, offset: number): [number, number] | undefined {
  let value = 0;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= bytes.length) return undefined;
    const b = bytes[pos + i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return [value, pos + i + 1];
  }
  throw new HistoryError('MALFORMED', 'a varint longer than 10 bytes', { offset });
}

export type Frame =
  /** A complete length-delimited field the caller wants. */
  | { readonly kind: 'bytes'; readonly field: number; readonly bytes: Uint8Array }
  /** A varint field (its value; 64-bit values above 2^53 lose precision). */
  | { readonly kind: 'varint'; readonly field: number; readonly value: number }
  /** A wanted length-delimited field over maxEntryBytes: dropped as it arrives. */
  | { readonly kind: 'tooLarge'; readonly field: number; readonly length: number };

export interface FramerOptions {
  /** Whether a length-delimited field is kept (others are dropped unread). */
  readonly wanted: (field: number) => boolean;
  readonly maxEntryBytes: number;
}

export class HistoryFramer {
  readonly #queue = new ByteQueue();
  readonly #options: FramerOptions;
  /** Bytes of a dropped field still to come. */
  #skipping = 0;
  /** Input offset of the queue's first byte. */
  #offset = 0;
  /** A wanted field's header was read; its bytes are awaited. */
  #awaiting: { field: number; length: number } | undefined;

  constructor(options: FramerOptions) {
    this.#options = options;
  }

  /** Bytes consumed or pending so far. */
  get offset(): number {
    return this.#offset + this.#queue.length;
  }

  push(chunk: Uint8Array): void {
    this.#queue.push(chunk);
  }

  /** The next complete frame, or undefined until more bytes come. @throws HistoryError MALFORMED */
  next(): Frame | undefined {
    for (;;) {
      if (this.#skipping > 0) {
        const n = Math.min(this.#skipping, this.#queue.length);
        this.#consume(n);
        this.#skipping -= n;
        if (this.#skipping > 0) return undefined;
      }
      if (this.#awaiting) {
        const { field, length } = this.#awaiting;
        if (this.#queue.length < length) return undefined;
        this.#awaiting = undefined;
        this.#offset += length;
        return { kind: 'bytes', field, bytes: this.#queue.take(length) };
      }
      if (this.#queue.length === 0) return undefined;
      const frame = this.#header();
      if (frame !== 'more' && frame !== 'again') return frame;
      if (frame === 'more') return undefined;
    }
  }

  /** @throws HistoryError TRUNCATED when the bytes ended inside a field */
  end(): void {
    if (this.#skipping > 0 || this.#awaiting || this.#queue.length > 0) {
      throw new HistoryError('TRUNCATED', 'the history sync ended inside a field', { offset: this.offset });
    }
  }

  #consume(n: number): void {
    this.#queue.drop(n);
    this.#offset += n;
  }

  /** Reads one header: a varint frame, or sets up awaiting/skipping ('again'), or 'more' bytes needed. */
  #header(): Frame | 'more' | 'again' {
    const head = this.#queue.peek(MAX_HEADER);
    const tagged = varint(head, 0, this.#offset);
    if (!tagged) return 'more';
    const [tag, afterTag] = tagged;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0 || tag > 0xffffffff) throw new HistoryError('MALFORMED', `invalid tag ${tag}`, { offset: this.#offset });
    switch (wire) {
      case WIRE_VARINT: {
        const read = varint(head, afterTag, this.#offset);
        if (!read) return 'more';
        this.#consume(read[1]);
        return { kind: 'varint', field, value: read[0] };
      }
      case WIRE_FIXED64:
      case WIRE_FIXED32:
        this.#consume(afterTag);
        this.#skipping = wire === WIRE_FIXED64 ? 8 : 4;
        return 'again';
      case WIRE_LEN: {
        const read = varint(head, afterTag, this.#offset);
        if (!read) return 'more';
        const [length, afterLength] = read;
        this.#consume(afterLength);
        if (!this.#options.wanted(field)) {
          this.#skipping = length;
          return 'again';
        }
        if (length > this.#options.maxEntryBytes) {
          this.#skipping = length;
          return { kind: 'tooLarge', field, length };
        }
        this.#awaiting = { field, length };
        return 'again';
      }
      default:
        // Groups are not used by WhatsApp's schema, and 6 and 7 are not wire types.
        throw new HistoryError('MALFORMED', `wire type ${wire} at the top level`, { offset: this.#offset });
    }
  }
}
