/**
 * The control contract's accounts: their states, how account:list and
 * account:status show them, what their ids look like, and the daemon API's
 * account methods. Types only.
 */

export type ConnectionState = 'connecting' | 'qr' | 'online' | 'reconnecting' | 'stopped' | 'loggedOut';

/**
 * An account's state in account:list and account:status: its connection's,
 * or `failed` when its records could not be loaded (quarantined: the others
 * run; `reason` says what is damaged; `wad store check` tells more).
 */
export type AccountState = ConnectionState | 'failed';

export interface AccountSummary {
  id: string;
  state: AccountState;
  jid?: string;
  lid?: string;
  name?: string;
  reason?: string;
  /** With `reason: "connection lost"`: what the socket said (a DNS failure, a refused connection, a TLS error). */
  cause?: string;
  /** account:list in a cluster: the daemon holding the account's live lease (the one that runs it); null when none does. */
  owner?: string | null;
  /** account:list in a cluster: where that daemon takes forwarded requests (http://host:port); null when it takes none. */
  ownerEndpoint?: string | null;
  /** account:list in a cluster: a live lease is held, so the account runs at `owner` (its `state` is the owner's when it answered). */
  running?: boolean;
  /** account:status only: counters since the daemon started (starts, reconnects and reconnects:<cause>, received, decryptFailures, retryReceiptsSent, serverError<code>…). */
  counters?: Record<string, number>;
}

/** What account ids look like: they name store namespaces, log fields and socket frames' tenantId. */
export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The daemon API's account methods (id = the account). */
export interface AccountApi {
  addAccount(id: string, opts: { phone?: string }): Promise<{ pairCode?: string }>;
  requestPairCode(id: string, phone: string): Promise<{ pairCode: string }>;
  removeAccount(id: string): Promise<void>;
  listAccounts(): AccountSummary[];
  accountStatus(id: string): AccountSummary;
  startAccount(id: string): Promise<void>;
  stopAccount(id: string): Promise<void>;
  restartAccount(id: string): Promise<void>;
  logoutAccount(id: string): Promise<void>;
}
