/**
 * Session records: the current session plus earlier ones, like libsignal's
 * SessionRecord (Java's "previous states"). Pure operations returning new
 * records. A newer session archives the current one; a message that decrypts
 * with an archived session promotes it back to current (Java/Rust libsignal),
 * so two devices that started sessions at the same time converge on one.
 */
import { bytesEqual } from '../crypto/hash.js';
import { EMPTY_RECORD, MAX_PREVIOUS_SESSIONS, type SessionRecord, type SessionState } from './state.js';

/** The record's sessions in the order decryption tries them: current first, then most recent. */
export function sessionStates(record: SessionRecord): SessionState[] {
  return record.current ? [record.current, ...record.previous] : record.previous.slice();
}

function trimmed(previous: SessionState[]): SessionState[] {
  return previous.length > MAX_PREVIOUS_SESSIONS ? previous.slice(0, MAX_PREVIOUS_SESSIONS) : previous;
}

/** Makes `state` current, archiving the current session (libsignal's closeSession + setSession). */
export function withNewSession(record: SessionRecord | undefined, state: SessionState): SessionRecord {
  const r = record ?? EMPTY_RECORD;
  return { current: state, previous: trimmed(r.current ? [r.current, ...r.previous] : r.previous.slice()) };
}

/**
 * Replaces the session at `position` (an index into sessionStates) with its
 * updated state, which becomes current.
 */
export function withUpdatedSession(record: SessionRecord, position: number, state: SessionState): SessionRecord {
  const hasCurrent = record.current !== undefined;
  if (hasCurrent && position === 0) return { current: state, previous: record.previous };
  const at = hasCurrent ? position - 1 : position;
  const previous = record.previous.slice();
  previous.splice(at, 1);
  if (record.current) previous.unshift(record.current);
  return { current: state, previous: trimmed(previous) };
}

/** Archives the current session: the next message to this peer needs a new bundle. */
export function closeSession(record: SessionRecord): SessionRecord {
  return record.current ? { current: undefined, previous: trimmed([record.current, ...record.previous]) } : record;
}

/** Position (in sessionStates) of the session a peer started with this base key, or -1. */
export function findSessionByBaseKey(record: SessionRecord, baseKey: Uint8Array): number {
  const states = sessionStates(record);
  return states.findIndex((s) => !s.initiator && bytesEqual(s.baseKey, baseKey));
}

/** The peer's registration id in the current session (sent back to the server with messages). */
export function remoteRegistrationId(record: SessionRecord | undefined): number | undefined {
  return record?.current?.remoteRegistrationId;
}

/** The peer's identity key in the current session. */
export function remoteIdentity(record: SessionRecord | undefined): Uint8Array | undefined {
  return record?.current?.remoteIdentity;
}
