/**
 * Session records: the current session plus earlier ones, like libsignal's
 * SessionRecord. Pure operations returning new records. A newer session
 * archives the current one. A message that decrypts with an archived session
 * updates it in place and moves it to the front of the archive, but does not
 * make it current (libsignal-node, which Baileys runs): the newest session is
 * the newest knowledge of the peer (a reinstall, a retry-receipt rebuild), and
 * a late message from an older one must not send our replies back to it.
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
 * updated state: the current session stays current, an archived one moves to
 * the front of the archive so it is tried first next time.
 */
export function withUpdatedSession(record: SessionRecord, position: number, state: SessionState): SessionRecord {
  const hasCurrent = record.current !== undefined;
  if (hasCurrent && position === 0) return { current: state, previous: record.previous };
  const previous = record.previous.slice();
  previous.splice(hasCurrent ? position - 1 : position, 1);
  previous.unshift(state);
  return { current: record.current, previous };
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
