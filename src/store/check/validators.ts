/**
 * What "decodes" means for each record family, for `wad store check` and
 * `repair`: the same decoders the account uses at run time (creds, events,
 * seqs, Signal records), and for free-form records their codec and format
 * version. Each validator throws with the reason; it never writes.
 *
 * `loadCritical` families are read when an account opens: damage there
 * quarantines the account (state `failed`). Damage elsewhere costs one
 * record (a session is rebuilt, an event becomes a reported gap…).
 */
import { deserializeSessionRecord } from '../../protocol/signal/index.js';
import { deserializeSenderKeyRecord } from '../../protocol/signal/group/index.js';
import { Fields } from '../codec/fields.js';
import { StoreError } from '../errors.js';
import { readU64 } from '../keys.js';
import { decodeCreds } from '../records/creds.js';
import { decodeSent } from '../families/sent.js';
import { decodeIdempotency } from '../families/idempotency.js';
import { decodeEvent, decodeSeq } from '../families/events.js';
import { decodeChatMessage } from '../families/chat-messages.js';
import { decodePending } from '../families/history-pending.js';

/** `tail`: the key after `a/<id>/<family>/` (empty for single-record families). */
export type Validator = (value: Uint8Array, tail: Uint8Array) => void;

export interface FamilyRule {
  /** What a person calls it in a report. */
  readonly name: string;
  readonly validate: Validator;
  /** Read when the account opens: damage here quarantines the account. */
  readonly loadCritical?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fieldsRecord(name: string): Validator {
  return (v) => void Fields.of(name, v, 1);
}

function exactLength(name: string, ...lengths: number[]): Validator {
  return (v) => {
    if (!lengths.includes(v.length)) throw new StoreError('CORRUPT_RECORD', `${name}: ${v.length} bytes (expected ${lengths.join(' or ')})`);
  };
}

function nonEmpty(name: string): Validator {
  return (v) => {
    if (v.length === 0) throw new StoreError('CORRUPT_RECORD', `${name}: empty`);
  };
}

function text(name: string): Validator {
  return (v) => {
    if (v.length === 0) throw new StoreError('CORRUPT_RECORD', `${name}: empty`);
    utf8.decode(v);
  };
}

export const FAMILY_RULES: Readonly<Record<string, FamilyRule>> = {
  creds: { name: 'credentials', loadCritical: true, validate: (v) => void decodeCreds(v) },
  evseq: { name: 'event seq', loadCritical: true, validate: (v) => void decodeSeq('event seq', v) },
  evc: { name: 'event cursor', loadCritical: true, validate: (v) => void decodeSeq('event cursor', v) },
  ev: {
    name: 'event',
    validate: (v, tail) => {
      if (tail.length !== 8) throw new StoreError('CORRUPT_RECORD', 'event key: no seq');
      decodeEvent(readU64(tail, 0), v);
    },
  },
  ses: { name: 'Signal session', validate: (v) => void deserializeSessionRecord(v) },
  idk: {
    name: 'identity key',
    validate: (v) => {
      exactLength('identity key', 32, 33)(v, v);
      if (v.length === 33 && v[0] !== 5) throw new StoreError('CORRUPT_RECORD', 'identity key: unknown key type');
    },
  },
  sk: { name: 'sender key', validate: (v) => void deserializeSenderKeyRecord(v) },
  skd: { name: 'sender key distribution', validate: (v) => void Fields.of('senderKeyDistribution', v, 1).list('devices') },
  pk: {
    name: 'prekey',
    validate: (v) => {
      const f = Fields.of('preKey', v, 1);
      f.bytes('public', 32);
      f.bytes('private', 32);
    },
  },
  pku: { name: 'prekey use', validate: exactLength('prekey use', 8) },
  lidp: { name: 'LID of a phone number', validate: text('LID mapping') },
  lidl: { name: 'phone number of a LID', validate: text('LID mapping') },
  dev: { name: 'device list', validate: fieldsRecord('deviceList') },
  ask: { name: 'app state key', validate: fieldsRecord('appStateSyncKey') },
  asv: { name: 'app state version', validate: fieldsRecord('appStateVersion') },
  asl: { name: 'app state label', validate: fieldsRecord('appStateLabel') },
  ass: { name: 'app state setting', validate: fieldsRecord('appStateSetting') },
  tct: { name: 'privacy token', validate: fieldsRecord('tctoken') },
  chat: { name: 'chat', validate: fieldsRecord('chat') },
  contact: { name: 'contact', validate: fieldsRecord('contact') },
  cm: { name: 'stored message', validate: (v) => void decodeChatMessage(v) },
  cmt: { name: 'chat message time index', validate: exactLength('chat message time index', 0) },
  cma: { name: 'account message time index', validate: exactLength('account message time index', 0) },
  cmc: { name: 'chat message count', validate: exactLength('chat message count', 8) },
  cmn: { name: 'message store total', validate: exactLength('message store total', 8) },
  hsn: { name: 'pending history sync', validate: (v) => void decodePending('', v) },
  sm: { name: 'sent message', validate: (v) => void decodeSent(v) },
  smn: { name: 'sent message index', validate: text('sent message index') },
  msg: { name: 'message record', validate: fieldsRecord('message') },
  msgn: { name: 'message index', validate: nonEmpty('message index') },
  ik: { name: 'idempotency key', validate: (v) => void decodeIdempotency(v) },
  ikn: { name: 'idempotency key index', validate: exactLength('idempotency key index', 32) },
};

/** The reason a record does not decode, or undefined when it does. */
export function recordProblem(family: string, value: Uint8Array, tail: Uint8Array): string | undefined {
  const rule = FAMILY_RULES[family];
  if (!rule) return `unknown record family '${family}'`;
  try {
    rule.validate(value, tail);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
