/**
 * Why the server ended (or refused) a connection, and what the client must do
 * about it: a pure decision table over `<stream:error>`, `<failure>` and
 * `<xmlstreamend/>` (as whatsapp-rust's handle_stream_error, but retrying what it does not know).
 * The connection actor acts on the decision; this file decides only.
 *
 *   code  meaning                         action
 *   401   unauthorized / device unlinked  loggedOut (wipe creds, never reconnect)
 *   403   forbidden (banned)              stop
 *   405   client too old                  outdated (fetch the published Web build, log in again; else stop)
 *   409   replaced by another connection  replaced (stop, no reconnect loop)
 *   440   replaced (Baileys' code for it) replaced
 *   428   connection closed               backoff
 *   429   rate limited                    backoff, 5 extra Fibonacci steps
 *   500   internal server error           backoff
 *   503   service unavailable             backoff
 *   515   restart required (after pair)   reconnect at once, no backoff
 *   516   device removed                  loggedOut
 *   else  unknown, or no code at all      backoff
 *
 * Only what says the account cannot come back as it is stops it: a logout,
 * a removed device, another connection taking over, a ban, a client too
 * old that no newer published build can replace. An error we do not know is no such statement: the server may have
 * new codes, or a bad moment; stopping for good would leave a business
 * account offline until someone notices, while the backoff keeps the retries
 * cheap (Fibonacci, up to 15 min).
 */
import type { BinaryNode } from '../binary/index.js';
import { childNodes } from '../iq/nodes.js';

export type DisconnectAction = 'reconnect' | 'backoff' | 'loggedOut' | 'replaced' | 'stop' | 'outdated';

export interface Disconnect {
  /** The numeric code (from `code`/`reason`, or implied by a child such as `<conflict type="replaced">`). */
  readonly code: number | undefined;
  readonly action: DisconnectAction;
  /** Extra Fibonacci steps added to the backoff counter (429). */
  readonly backoffBoost: number;
  /** A short reason for events and logs, e.g. `stream-error 503`, `conflict replaced`. */
  readonly reason: string;
}

const TABLE: Readonly<Record<number, DisconnectAction>> = {
  401: 'loggedOut',
  403: 'stop',
  405: 'outdated',
  409: 'replaced',
  428: 'backoff',
  429: 'backoff',
  440: 'replaced',
  500: 'backoff',
  503: 'backoff',
  515: 'reconnect',
  516: 'loggedOut',
};

export const RATE_LIMIT_BOOST = 5;

export function decideByCode(code: number | undefined, reason: string): Disconnect {
  const action = code === undefined ? 'backoff' : TABLE[code] ?? 'backoff';
  return { code, action, backoffBoost: code === 429 ? RATE_LIMIT_BOOST : 0, reason };
}

function parseCode(v: string | undefined): number | undefined {
  if (v === undefined || !/^[0-9]{1,4}$/.test(v)) return undefined;
  return Number(v);
}

/**
 * `<stream:error code="…">` with an optional child: `<conflict type="replaced"/>`
 * (409 when no code), `<conflict type="device_removed"/>` (logged out), `<ack/>`
 * (the server rejected one of our acks), `<xml-not-well-formed/>`…
 */
export function decideStreamError(stanza: BinaryNode): Disconnect {
  let code = parseCode(stanza.attrs.code);
  const first = childNodes(stanza)[0];
  let reason = code !== undefined ? `stream-error ${code}` : 'stream-error';
  if (first) {
    const type = first.attrs.type;
    reason += ` ${first.tag}${type ? ` ${type}` : ''}`;
    if (first.tag === 'conflict') {
      if (type === 'device_removed') return { code: code ?? 401, action: 'loggedOut', backoffBoost: 0, reason };
      code ??= 409;
    }
  }
  return decideByCode(code, reason);
}

/** `<failure reason="401" location="…"/>`: the server refused the login. */
export function decideFailure(stanza: BinaryNode): Disconnect {
  const code = parseCode(stanza.attrs.reason);
  return decideByCode(code, `login failure ${stanza.attrs.reason ?? '(no reason)'}`);
}

/** The socket closed without a stream error (a dropped connection, `<xmlstreamend/>`): 428, backoff. */
export function connectionLost(reason: string): Disconnect {
  return { code: 428, action: 'backoff', backoffBoost: 0, reason };
}

/** Which top-level tags end the connection. */
export function isDisconnectStanza(stanza: BinaryNode): boolean {
  return stanza.tag === 'stream:error' || stanza.tag === 'failure' || stanza.tag === 'xmlstreamend';
}
