/**
 * The Noise transport cipher after the handshake: AES-256-GCM per frame, one
 * key and one implicit 32-bit counter per direction, empty associated data,
 * nonce = 8 zero bytes then the big-endian counter (WhatsApp's TransportState).
 *
 * This runs on every stanza, so it calls node:crypto directly with keys
 * imported once and reused nonce buffers, instead of the general aes.ts
 * helpers. It must not frame-decode (frame-decoder.ts) or parse stanzas.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { GCM_TAG_LENGTH, MAX_FRAME_LENGTH } from './constants.js';
import { NoiseError } from './errors.js';
import type { split } from './symmetric.js';

/** Counters are 32-bit on the wire; the next one after this would repeat an IV. */
const COUNTER_LIMIT = 0x1_0000_0000;

export interface TransportKeys {
  sendKey: Uint8Array;
  receiveKey: Uint8Array;
  /** Starting counters; only tests and resumptions set them (default 0). */
  sendCounter?: number;
  receiveCounter?: number;
}

export class NoiseTransport {
  readonly #sendKey: KeyObject;
  readonly #receiveKey: KeyObject;
  readonly #sendIv = Buffer.alloc(12);
  readonly #receiveIv = Buffer.alloc(12);
  #sendCounter: number;
  #receiveCounter: number;

  /** The transport of one side, from the handshake's split. */
  static forRole(role: 'client' | 'server', keys: ReturnType<typeof split>): NoiseTransport {
    return role === 'client'
      ? new NoiseTransport({ sendKey: keys.initiatorToResponder, receiveKey: keys.responderToInitiator })
      : new NoiseTransport({ sendKey: keys.responderToInitiator, receiveKey: keys.initiatorToResponder });
  }

  constructor(keys: TransportKeys) {
    if (keys.sendKey.length !== 32 || keys.receiveKey.length !== 32) {
      throw new RangeError('transport keys must be 32 bytes');
    }
    this.#sendKey = createSecretKey(keys.sendKey);
    this.#receiveKey = createSecretKey(keys.receiveKey);
    this.#sendCounter = checkCounter(keys.sendCounter ?? 0);
    this.#receiveCounter = checkCounter(keys.receiveCounter ?? 0);
  }

  /** Frames sent so far (the counter of the next one). */
  get sendCounter(): number {
    return this.#sendCounter;
  }

  /** Frames received so far (the counter the next one must carry). */
  get receiveCounter(): number {
    return this.#receiveCounter;
  }

  /**
   * Ciphertext ‖ tag of the next outgoing frame. Outputs may be views into
   * Node's shared buffer pool: copy before transferring their ArrayBuffer.
   * @throws NoiseError COUNTER
   */
  encrypt(plaintext: Uint8Array): Uint8Array {
    return this.#seal(plaintext, 0);
  }

  /**
   * The next outgoing frame with its 3-byte length header, in one buffer.
   * @throws NoiseError FRAME_TOO_LARGE (nothing consumed), COUNTER
   */
  encryptFrame(plaintext: Uint8Array): Uint8Array {
    const length = plaintext.length + GCM_TAG_LENGTH;
    if (length > MAX_FRAME_LENGTH) {
      throw new NoiseError('FRAME_TOO_LARGE', `encrypted payload of ${length} bytes does not fit a 3-byte length`);
    }
    const out = this.#seal(plaintext, 3);
    out[0] = length >>> 16;
    out[1] = (length >>> 8) & 0xff;
    out[2] = length & 0xff;
    return out;
  }

  /**
   * The plaintext of the next incoming frame. A frame that fails (tampered,
   * replayed, out of order) leaves the counter where it was.
   * @throws NoiseError BAD_FRAME (shorter than the tag), DECRYPT, COUNTER
   */
  decrypt(ciphertext: Uint8Array): Uint8Array {
    if (this.#receiveCounter >= COUNTER_LIMIT) throw exhausted('receive');
    if (ciphertext.length < GCM_TAG_LENGTH) {
      throw new NoiseError('BAD_FRAME', `transport frame of ${ciphertext.length} bytes is shorter than its tag`);
    }
    this.#receiveIv.writeUInt32BE(this.#receiveCounter, 8);
    const end = ciphertext.length - GCM_TAG_LENGTH;
    const d = createDecipheriv('aes-256-gcm', this.#receiveKey, this.#receiveIv);
    d.setAuthTag(ciphertext.subarray(end));
    const head = d.update(ciphertext.subarray(0, end));
    try {
      d.final();
    } catch (cause) {
      throw new NoiseError('DECRYPT', `transport frame failed authentication at receive counter ${this.#receiveCounter}`, { cause });
    }
    this.#receiveCounter++;
    return head;
  }

  #seal(plaintext: Uint8Array, offset: number): Uint8Array {
    if (this.#sendCounter >= COUNTER_LIMIT) throw exhausted('send');
    this.#sendIv.writeUInt32BE(this.#sendCounter, 8);
    const c = createCipheriv('aes-256-gcm', this.#sendKey, this.#sendIv);
    const body = c.update(plaintext);
    c.final(); // GCM is a stream mode: final() never yields bytes
    const out = Buffer.allocUnsafe(offset + body.length + GCM_TAG_LENGTH);
    out.set(body, offset);
    out.set(c.getAuthTag(), offset + body.length);
    this.#sendCounter++;
    return out;
  }
}

function checkCounter(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > COUNTER_LIMIT) throw new NoiseError('COUNTER', `invalid transport counter ${n}`);
  return n;
}

function exhausted(direction: string): NoiseError {
  return new NoiseError('COUNTER', `${direction} counter exhausted after 2^32 frames; the connection must be renewed`);
}
