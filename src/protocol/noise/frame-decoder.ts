/**
 * Incoming framing: a streaming decoder that takes WebSocket messages (or any
 * chunking of them) and yields whole frames. On the server side it first
 * strips the client's intro. Memory is bounded: it holds at most the bytes
 * received of one partial frame (< `maxFrameSize`), never the size a length
 * header merely claims, plus the routing info (≤ MAX_ROUTING_INFO).
 *
 * It does not decrypt (transport.ts) and keeps no frames it has returned.
 */
import { DEFAULT_MAX_FRAME_SIZE, MAX_FRAME_LENGTH, MAX_ROUTING_INFO, ROUTING_PREFIX, WA_INTRO_HEADER } from './constants.js';
import { NoiseError } from './errors.js';

export interface FrameDecoderOptions {
  /** Frames longer than this fail with FRAME_TOO_LARGE (default and maximum 0xFFFFFF). */
  maxFrameSize?: number;
  /**
   * Expect the client's intro before the first frame (server side): `true` for
   * `WA` 6 3, or the exact header bytes to accept.
   */
  intro?: boolean | Uint8Array;
}

const enum Stage {
  /** Reading the first 4 intro bytes: the header itself or "ED" 0 1. */
  IntroStart,
  /** Reading the 3-byte length of the routing info. */
  RoutingLength,
  /** Reading the routing info. */
  Routing,
  /** Reading the header after the routing info. */
  IntroHeader,
  /** Reading a 3-byte frame length. */
  Length,
  /** Reading a frame body that spans chunks (into #bodyParts, not #target). */
  Body,
}

export class FrameDecoder {
  readonly #maxFrameSize: number;
  readonly #header: Uint8Array | undefined;
  #stage: Stage;
  /** The intro part or length being collected across chunks. */
  #target: Uint8Array;
  /** Bytes held of the current #target, or of the current body. */
  #filled = 0;
  /** Copies of the chunk tails of a body that spans chunks, and its length. */
  #bodyParts: Uint8Array[] = [];
  #bodyLength = 0;
  /** The 3-byte length buffer, never handed out as a frame. */
  readonly #lengthBytes = new Uint8Array(3);
  #routingInfo: Uint8Array | undefined;
  #error: NoiseError | undefined;

  constructor(opts: FrameDecoderOptions = {}) {
    const max = opts.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    if (!Number.isInteger(max) || max < 0 || max > MAX_FRAME_LENGTH) throw new RangeError(`maxFrameSize ${max} out of range`);
    this.#maxFrameSize = max;
    this.#header = opts.intro === true ? WA_INTRO_HEADER : opts.intro === false ? undefined : opts.intro;
    if (this.#header !== undefined && this.#header.length !== ROUTING_PREFIX.length) {
      throw new RangeError(`intro header must be ${ROUTING_PREFIX.length} bytes`);
    }
    this.#stage = this.#header === undefined ? Stage.Length : Stage.IntroStart;
    this.#target = this.#header === undefined ? this.#lengthBytes : new Uint8Array(ROUTING_PREFIX.length);
  }

  /** The edge routing info the client put before its intro, once the intro is read. */
  get routingInfo(): Uint8Array | undefined {
    return this.#routingInfo;
  }

  /** Bytes held in a partial intro, length or frame. */
  get buffered(): number {
    return this.#filled;
  }

  /**
   * Feeds one chunk; returns the frames it completes, in order. Frames may be
   * views into `chunk` (zero-copy): do not overwrite a chunk whose frames you
   * still use. After an error the stream is out of sync: every later call
   * throws the same error.
   * @throws NoiseError BAD_INTRO, FRAME_TOO_LARGE
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#error) throw this.#error;
    try {
      return this.#push(chunk);
    } catch (e) {
      this.#error = e instanceof NoiseError ? e : new NoiseError('BAD_FRAME', 'frame decoding failed', { cause: e });
      throw this.#error;
    }
  }

  /**
   * Declares the end of the stream.
   * @throws NoiseError TRUNCATED when it ends inside the intro or a frame (or the earlier error)
   */
  end(): void {
    if (this.#error) throw this.#error;
    const insideIntro = this.#stage !== Stage.Length && this.#stage !== Stage.Body;
    if (this.#filled > 0 || (this.#stage !== Stage.Length && this.#stage !== Stage.IntroStart)) {
      this.#error = new NoiseError('TRUNCATED', `stream ended inside a ${insideIntro ? 'intro' : 'frame'} (${this.#filled} bytes held)`);
      throw this.#error;
    }
  }

  #push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.#stage === Stage.Length && this.#filled === 0 && n - i >= 3) {
        // Fast path: the length and, usually, the whole frame sit in this chunk.
        const length = (chunk[i]! << 16) | (chunk[i + 1]! << 8) | chunk[i + 2]!;
        i += 3;
        i = this.#startBody(chunk, i, length, frames);
        continue;
      }
      if (this.#stage === Stage.Body) {
        i = this.#continueBody(chunk, i, frames);
        continue;
      }
      const take = Math.min(this.#target.length - this.#filled, n - i);
      this.#target.set(chunk.subarray(i, i + take), this.#filled);
      this.#filled += take;
      i += take;
      if (this.#filled < this.#target.length) break;
      i = this.#complete(chunk, i, frames);
    }
    return frames;
  }

  /** Handles a fully collected `#target` for the current stage. */
  #complete(chunk: Uint8Array, i: number, frames: Uint8Array[]): number {
    const value = this.#target;
    this.#filled = 0;
    switch (this.#stage) {
      case Stage.IntroStart:
        if (bytesEqual(value, this.#header!)) return this.#expectLength(i);
        if (!bytesEqual(value, ROUTING_PREFIX)) throw new NoiseError('BAD_INTRO', `unexpected intro bytes ${hex(value)}`);
        this.#stage = Stage.RoutingLength;
        this.#target = new Uint8Array(3);
        return i;
      case Stage.RoutingLength: {
        const length = (value[0]! << 16) | (value[1]! << 8) | value[2]!;
        if (length > MAX_ROUTING_INFO) throw new NoiseError('BAD_INTRO', `routing info of ${length} bytes exceeds ${MAX_ROUTING_INFO}`);
        this.#stage = Stage.Routing;
        this.#target = new Uint8Array(length);
        return length === 0 ? this.#complete(chunk, i, frames) : i;
      }
      case Stage.Routing:
        this.#routingInfo = value;
        this.#stage = Stage.IntroHeader;
        this.#target = new Uint8Array(this.#header!.length);
        return i;
      case Stage.IntroHeader:
        if (!bytesEqual(value, this.#header!)) throw new NoiseError('BAD_INTRO', `unexpected intro header ${hex(value)}`);
        return this.#expectLength(i);
      case Stage.Length:
        return this.#startBody(chunk, i, (value[0]! << 16) | (value[1]! << 8) | value[2]!, frames);
      case Stage.Body:
        throw new Error('unreachable: bodies are not collected in #target');
    }
  }

  #startBody(chunk: Uint8Array, i: number, length: number, frames: Uint8Array[]): number {
    if (length > this.#maxFrameSize) {
      throw new NoiseError('FRAME_TOO_LARGE', `frame of ${length} bytes exceeds the limit of ${this.#maxFrameSize}`);
    }
    if (chunk.length - i >= length) {
      frames.push(chunk.subarray(i, i + length));
      return this.#expectLength(i + length);
    }
    // The frame spans chunks: keep copies of the pieces as they arrive, so a
    // peer that only announces a large frame costs nothing.
    this.#stage = Stage.Body;
    this.#bodyLength = length;
    return i;
  }

  #continueBody(chunk: Uint8Array, i: number, frames: Uint8Array[]): number {
    const take = Math.min(this.#bodyLength - this.#filled, chunk.length - i);
    if (this.#filled + take < this.#bodyLength) {
      this.#bodyParts.push(chunk.slice(i, i + take));
      this.#filled += take;
      return i + take;
    }
    const frame = new Uint8Array(this.#bodyLength);
    let at = 0;
    for (const part of this.#bodyParts) {
      frame.set(part, at);
      at += part.length;
    }
    frame.set(chunk.subarray(i, i + take), at);
    frames.push(frame);
    this.#bodyParts = [];
    this.#filled = 0;
    return this.#expectLength(i + take);
  }

  #expectLength(i: number): number {
    this.#stage = Stage.Length;
    this.#target = this.#lengthBytes;
    return i;
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}
