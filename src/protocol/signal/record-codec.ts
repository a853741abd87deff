/**
 * The byte form of a SessionRecord, as the store persists it. A compact
 * versioned binary layout (keys are fixed 32-byte fields, numbers are varints):
 *
 *   record   = version(1) flags(1: bit0 has current) varint(#previous) session*
 *   session  = remoteIdentity regId baseKey flags rootKey ourPub ourPriv theirRatchet
 *              previousCounter [sending] [pending] varint(#chains) chain*
 *   sending  = chainKey varint(nextCounter)
 *   pending  = baseKey varint(signedPreKeyId) [varint(preKeyId)]
 *   chain    = ratchetKey flags(1: bit0 has key) [chainKey] varint(nextCounter)
 *              varint(#skipped) (varint(counter) seed)*
 *
 * Decoding copies the input once; the record's keys are views into that copy.
 */
import { RecordFormatError } from './errors.js';
import type { ReceivingChain, SessionRecord, SessionState, SkippedKey } from './state.js';

export const RECORD_FORMAT_VERSION = 1;
const KEY = 32;

const SESSION_INITIATOR = 1;
const SESSION_SENDING = 2;
const SESSION_PENDING = 4;
const SESSION_PENDING_PREKEY = 8;

// One scratch buffer for every record written (grown when a record needs
// more, up to SCRATCH_MAX; a rare larger record gets its own): a fresh 1 KiB
// per call was most of a round trip's garbage.
const SCRATCH_MAX = 64 * 1024;
let scratch = new Uint8Array(1024);

class Writer {
  #buf = scratch;
  #at = 0;

  #reserve(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    const grown = new Uint8Array(Math.max(this.#buf.length * 2, this.#at + n));
    grown.set(this.#buf.subarray(0, this.#at));
    this.#buf = grown;
    if (grown.length <= SCRATCH_MAX) scratch = grown;
  }

  byte(b: number): void {
    this.#reserve(1);
    this.#buf[this.#at++] = b;
  }

  varint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`cannot store ${n} as a varint`);
    this.#reserve(8);
    while (n >= 0x80) {
      this.#buf[this.#at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.#buf[this.#at++] = n;
  }

  key(k: Uint8Array): void {
    if (k.length !== KEY) throw new RangeError(`session key of ${k.length} bytes`);
    this.#reserve(KEY);
    this.#buf.set(k, this.#at);
    this.#at += KEY;
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#at);
  }
}

class Reader {
  #at = 0;
  constructor(readonly buf: Uint8Array) {}

  byte(): number {
    if (this.#at >= this.buf.length) throw new RecordFormatError('session record is truncated');
    return this.buf[this.#at++]!;
  }

  varint(): number {
    let n = 0;
    for (let shift = 1; ; shift *= 0x80) {
      const b = this.byte();
      n += (b & 0x7f) * shift;
      if (!(b & 0x80)) break;
      if (shift > 2 ** 42) throw new RecordFormatError('varint too long in session record');
    }
    return n;
  }

  key(): Uint8Array {
    if (this.#at + KEY > this.buf.length) throw new RecordFormatError('session record is truncated');
    const k = this.buf.subarray(this.#at, this.#at + KEY);
    this.#at += KEY;
    return k;
  }

  count(max: number, what: string): number {
    const n = this.varint();
    if (n > max) throw new RecordFormatError(`session record has ${n} ${what} (at most ${max})`);
    return n;
  }

  done(): void {
    if (this.#at !== this.buf.length) throw new RecordFormatError('trailing bytes after session record');
  }
}

function writeSession(w: Writer, s: SessionState): void {
  w.key(s.remoteIdentity);
  w.varint(s.remoteRegistrationId);
  w.key(s.baseKey);
  const p = s.pendingPreKey;
  w.byte(
    (s.initiator ? SESSION_INITIATOR : 0) |
      (s.sending ? SESSION_SENDING : 0) |
      (p ? SESSION_PENDING : 0) |
      (p?.preKeyId !== undefined ? SESSION_PENDING_PREKEY : 0),
  );
  w.key(s.rootKey);
  w.key(s.ourRatchet.public);
  w.key(s.ourRatchet.private);
  w.key(s.theirRatchet);
  w.varint(s.previousCounter);
  if (s.sending) {
    w.key(s.sending.chainKey);
    w.varint(s.sending.nextCounter);
  }
  if (p) {
    w.key(p.baseKey);
    w.varint(p.signedPreKeyId);
    if (p.preKeyId !== undefined) w.varint(p.preKeyId);
  }
  w.varint(s.receiving.length);
  for (const c of s.receiving) {
    w.key(c.ratchetKey);
    w.byte(c.chainKey ? 1 : 0);
    if (c.chainKey) w.key(c.chainKey);
    w.varint(c.nextCounter);
    w.varint(c.skipped.length);
    for (const k of c.skipped) {
      w.varint(k.counter);
      w.key(k.seed);
    }
  }
}

// Generous caps: they only stop corrupted bytes from allocating absurd arrays.
const MAX_STORED_SESSIONS = 1000;
const MAX_STORED_CHAINS = 1000;
const MAX_STORED_SKIPPED = 100_000;

function readSession(r: Reader): SessionState {
  const remoteIdentity = r.key();
  const remoteRegistrationId = r.varint();
  const baseKey = r.key();
  const flags = r.byte();
  const rootKey = r.key();
  const ourRatchet = { public: r.key(), private: r.key() };
  const theirRatchet = r.key();
  const previousCounter = r.varint();
  const sending = flags & SESSION_SENDING ? { chainKey: r.key(), nextCounter: r.varint() } : undefined;
  const pendingPreKey =
    flags & SESSION_PENDING
      ? { baseKey: r.key(), signedPreKeyId: r.varint(), preKeyId: flags & SESSION_PENDING_PREKEY ? r.varint() : undefined }
      : undefined;
  const receiving: ReceivingChain[] = [];
  for (let n = r.count(MAX_STORED_CHAINS, 'chains'); n > 0; n--) {
    const ratchetKey = r.key();
    const chainKey = r.byte() & 1 ? r.key() : undefined;
    const nextCounter = r.varint();
    const skipped: SkippedKey[] = [];
    for (let m = r.count(MAX_STORED_SKIPPED, 'skipped keys'); m > 0; m--) skipped.push({ counter: r.varint(), seed: r.key() });
    receiving.push({ ratchetKey, chainKey, nextCounter, skipped });
  }
  return {
    remoteIdentity,
    remoteRegistrationId,
    baseKey,
    initiator: (flags & SESSION_INITIATOR) !== 0,
    rootKey,
    ourRatchet,
    theirRatchet,
    previousCounter,
    sending,
    receiving,
    pendingPreKey,
  };
}

export function serializeSessionRecord(record: SessionRecord): Uint8Array {
  const w = new Writer();
  w.byte(RECORD_FORMAT_VERSION);
  w.byte(record.current ? 1 : 0);
  w.varint(record.previous.length);
  if (record.current) writeSession(w, record.current);
  for (const s of record.previous) writeSession(w, s);
  return w.finish();
}

/** @throws RecordFormatError for bytes of another version, truncated or malformed */
export function deserializeSessionRecord(bytes: Uint8Array): SessionRecord {
  const r = new Reader(new Uint8Array(bytes)); // a copy even of a Buffer (whose slice is a view)
  const version = r.byte();
  if (version !== RECORD_FORMAT_VERSION) throw new RecordFormatError(`session record version ${version} is not ${RECORD_FORMAT_VERSION}`);
  const hasCurrent = (r.byte() & 1) !== 0;
  const previousCount = r.count(MAX_STORED_SESSIONS, 'sessions');
  const current = hasCurrent ? readSession(r) : undefined;
  const previous: SessionState[] = [];
  for (let n = 0; n < previousCount; n++) previous.push(readSession(r));
  r.done();
  return { current, previous };
}
