/**
 * The connection actor's lifecycle as an xstate machine:
 *
 *   preparing ─▶ linked.socket ─▶ linked.handshake ─▶ linked.login ─┬▶ linked.online (keepalive)
 *       ▲            (20 s)            (20 s)           (20 s)      └▶ linked.pairing.showing (QR refs rotate)
 *       │                                                                  │ pair-success
 *       │                                                                  ▼
 *       ├──────────── 515 (the first since settled) / dead socket: at once ◀── linked.pairing.restarting
 *       └──────────── backoff (Fibonacci, jitter) ◀── timeouts, 428, 429 (+5), 5xx, unknown errors
 *   loggingOut (wipe) ─▶ loggedOut (final)   ◀── 401, 516, logout
 *   updating ─▶ preparing (a newer Web build) ◀── 405 client outdated
 *   stopped (final)                          ◀── 409/440 replaced, 403, 405 with no newer build, QR refs expired
 *   terminated (final)                       ◀── SUPERVISOR.SHUTDOWN
 *
 * Entering `linked` opens a link (socket + Noise), leaving it closes it, so
 * a socket never outlives the state that owns it. The machine decides; the
 * host (connection.ts) does the I/O and reports every state change as an
 * event. Its only timers are the current timeout, the QR ref's life, the
 * backoff delay, the keepalive tick and, once online, the time after which
 * the backoff counter starts over.
 */
import { assign, fromPromise, setup } from 'xstate';
import type { Disconnect } from '../../protocol/stanza/disconnect.js';
import { nextAttempt } from './backoff.js';

/** Where an account's connection stands; the daemon reports it as the contract's state of the same name. */
export type ConnectionState = 'connecting' | 'qr' | 'online' | 'reconnecting' | 'stopped' | 'loggedOut';

export interface ConnectionUpdate {
  readonly state: ConnectionState;
  readonly reason?: string | undefined;
  /**
   * What the socket said when `reason` is a lost connection (a DNS failure, a
   * refused connection, a TLS error): the words a person can act on. Kept
   * apart from `reason`, which stays one of a few causes (counters, metrics).
   */
  readonly cause?: string | undefined;
  readonly qr?: string | undefined;
  readonly pairCode?: string | undefined;
  /** For `reconnecting`: when the next attempt starts, and its number. */
  readonly delayMs?: number | undefined;
  readonly attempt?: number | undefined;
}

/** What the machine asks of its host. */
export interface ConnectionHost {
  /** Loads the credentials, making and storing fresh ones when there are none. */
  ensureCreds(): Promise<void>;
  openLink(): void;
  /**
   * WhatsApp refused our Web build (405): fetches the one it publishes. True
   * when it differs from the build the refused login announced (log in
   * again with it, same credentials); false when there is none newer.
   */
  updateWebVersion(): Promise<boolean>;
  closeLink(reason: string): void;
  /** Wipes the account's credentials and keys in one batch (401, logout). */
  wipe(reason: string): Promise<void>;
  report(update: ConnectionUpdate): void;
  showQr(ref: string): void;
  /** The link reached online: the host starts its after-login tasks. */
  enteredOnline(): void;
  keepaliveTick(): void;
  backoffDelay(attempt: number): number;
  keepaliveDelay(): number;
  qrTtl(index: number): number;
  readonly connectTimeoutMs: number;
  /** Online this long: past failures are forgotten (the backoff counter goes back to 0). */
  readonly backoffResetMs: number;
}

export type ConnectionEvent =
  | { type: 'LINK.OPEN' }
  | { type: 'LINK.READY' }
  | { type: 'LINK.CLOSED'; reason: string }
  | { type: 'LINK.DEAD' }
  | { type: 'SERVER.SUCCESS' }
  | { type: 'SERVER.DISCONNECT'; decision: Disconnect }
  | { type: 'PAIR.DEVICE'; refs: readonly string[] }
  | { type: 'PAIR.SUCCESS' }
  | { type: 'PAIR.FAILED'; reason: string }
  | { type: 'LOGOUT'; reason: string }
  | { type: 'FAULT.CRASH' }
  /** A stanza could not be persisted (a full disk…), so it was not acked: reconnect so the server redelivers it. `failures` in a row set the backoff. */
  | { type: 'STORE.FAILED'; reason: string; failures: number }
  | { type: 'SUPERVISOR.SHUTDOWN' };

export interface ConnectionContext {
  readonly host: ConnectionHost;
  /** Consecutive failed attempts (the backoff counter); 0 once online for backoffResetMs. */
  attempt: number;
  /** Why we are (re)connecting, stopped or logged out. */
  reason: string | undefined;
  /** The socket's own words for the last lost connection, valid while `reason` is still that loss. */
  lost: { readonly reason: string; readonly cause: string } | undefined;
  refs: readonly string[];
  refIndex: number;
}

/** The socket's words for the loss `reason` names, if that is what it names. */
function causeOf(context: ConnectionContext): { cause?: string } {
  return context.reason !== undefined && context.lost?.reason === context.reason ? { cause: context.lost.cause } : {};
}

export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as { host: ConnectionHost },
  },
  actors: {
    prepare: fromPromise<void, { host: ConnectionHost }>(({ input }) => input.host.ensureCreds()),
    wipe: fromPromise<void, { host: ConnectionHost; reason: string }>(({ input }) => input.host.wipe(input.reason)),
    updateWebVersion: fromPromise<boolean, { host: ConnectionHost }>(({ input }) => input.host.updateWebVersion()),
  },
  actions: {
    /** One more failed attempt (the backoff counter), and why. */
    fail: assign(({ context }, params: { reason: string }) => ({ attempt: nextAttempt(context.attempt), reason: params.reason })),
    openLink: ({ context }) => context.host.openLink(),
    closeLink: ({ context }) => context.host.closeLink(context.reason ?? 'leaving the linked state'),
    reportConnecting: ({ context }) => context.host.report({ state: 'connecting', reason: context.reason, ...causeOf(context) }),
    reportReconnecting: ({ context }) => {
      // The delay is drawn here, once per backoff, and kept for the `after`.
      const delayMs = context.host.backoffDelay(context.attempt);
      retryDelays.set(context, delayMs);
      context.host.report({ state: 'reconnecting', reason: context.reason, ...causeOf(context), delayMs, attempt: context.attempt });
    },
    reportStopped: ({ context }) => context.host.report({ state: 'stopped', reason: context.reason }),
    reportLoggedOut: ({ context }) => context.host.report({ state: 'loggedOut', reason: context.reason }),
    showQr: ({ context }) => context.host.showQr(context.refs[context.refIndex]!),
    enteredOnline: ({ context }) => context.host.enteredOnline(),
    keepaliveTick: ({ context }) => context.host.keepaliveTick(),
    crash: () => {
      throw new Error('injected crash (FAULT.CRASH)');
    },
  },
  guards: {
    moreRefs: ({ context }) => context.refIndex + 1 < context.refs.length,
    hasRefs: ({ event }) => event.type === 'PAIR.DEVICE' && event.refs.length > 0,
  },
  delays: {
    connectTimeout: ({ context }) => context.host.connectTimeoutMs,
    keepalive: ({ context }) => context.host.keepaliveDelay(),
    qrTtl: ({ context }) => context.host.qrTtl(context.refIndex),
    backoff: ({ context }) => retryDelays.get(context) ?? 0,
    backoffReset: ({ context }) => context.host.backoffResetMs,
  },
}).createMachine({
  id: 'connection',
  initial: 'preparing',
  context: ({ input }) => ({ host: input.host, attempt: 0, reason: undefined, lost: undefined, refs: [], refIndex: 0 }),
  on: {
    'SUPERVISOR.SHUTDOWN': { target: '.terminated', actions: assign({ reason: 'stopped' }) },
    'FAULT.CRASH': { actions: 'crash' },
    LOGOUT: { target: '.loggingOut', actions: assign({ reason: ({ event }) => event.reason }) },
  },
  states: {
    preparing: {
      entry: 'reportConnecting',
      invoke: { src: 'prepare', input: ({ context }) => ({ host: context.host }), onDone: 'linked' },
    },
    linked: {
      entry: 'openLink',
      exit: 'closeLink',
      initial: 'socket',
      on: {
        'LINK.CLOSED': {
          target: 'backoff',
          actions: assign(({ context, event }) => ({ attempt: nextAttempt(context.attempt), reason: 'connection lost', lost: { reason: 'connection lost', cause: event.reason } })),
        },
        'LINK.DEAD': { target: 'preparing', actions: assign({ reason: 'dead socket: no answer to a keepalive' }) },
        'STORE.FAILED': {
          target: 'backoff',
          actions: assign(({ context, event }) => ({ attempt: Math.max(nextAttempt(context.attempt), event.failures), reason: event.reason })),
        },
        'SERVER.DISCONNECT': [
          // 515 asks for a new connection at once; asked again before the last one settled, it backs off like a failure (no tight loop).
          {
            guard: ({ context, event }) => event.decision.action === 'reconnect' && context.attempt === 0,
            target: 'preparing',
            actions: assign({ attempt: 1, reason: ({ event }) => event.decision.reason }),
          },
          { guard: ({ event }) => event.decision.action === 'reconnect', target: 'backoff', actions: assign(({ context, event }) => ({ attempt: nextAttempt(context.attempt), reason: event.decision.reason })) },
          { guard: ({ event }) => event.decision.action === 'backoff', target: 'backoff', actions: assign(({ context, event }) => ({ attempt: nextAttempt(context.attempt, event.decision.backoffBoost), reason: event.decision.reason })) },
          { guard: ({ event }) => event.decision.action === 'loggedOut', target: 'loggingOut', actions: assign({ reason: ({ event }) => event.decision.reason }) },
          { guard: ({ event }) => event.decision.action === 'outdated', target: 'updating', actions: assign({ reason: ({ event }) => event.decision.reason }) },
          { target: 'stopped', actions: assign({ reason: ({ event }) => event.decision.reason }) },
        ],
      },
      states: {
        socket: {
          on: { 'LINK.OPEN': 'handshake' },
          after: { connectTimeout: { target: '#connection.backoff', actions: { type: 'fail', params: { reason: 'connect timeout' } } } },
        },
        handshake: {
          on: { 'LINK.READY': 'login' },
          after: { connectTimeout: { target: '#connection.backoff', actions: { type: 'fail', params: { reason: 'handshake timeout' } } } },
        },
        login: {
          on: {
            'SERVER.SUCCESS': 'online',
            'PAIR.DEVICE': { guard: 'hasRefs', target: 'pairing', actions: assign({ refs: ({ event }) => event.refs, refIndex: 0 }) },
          },
          after: { connectTimeout: { target: '#connection.backoff', actions: { type: 'fail', params: { reason: 'login timeout' } } } },
        },
        pairing: {
          initial: 'showing',
          on: {
            'PAIR.DEVICE': { guard: 'hasRefs', target: '.showing', reenter: true, actions: assign({ refs: ({ event }) => event.refs, refIndex: 0 }) },
            'PAIR.SUCCESS': '.restarting',
            'PAIR.FAILED': { target: '#connection.stopped', actions: assign({ reason: ({ event }) => event.reason }) },
          },
          states: {
            showing: {
              entry: 'showQr',
              after: {
                qrTtl: [
                  { guard: 'moreRefs', target: 'showing', reenter: true, actions: assign({ refIndex: ({ context }) => context.refIndex + 1 }) },
                  { target: '#connection.stopped', actions: assign({ reason: 'QR refs expired before a phone linked' }) },
                ],
              },
            },
            // Paired: the server restarts the stream (515); a plain close means the same.
            restarting: {
              on: { 'LINK.CLOSED': { target: '#connection.preparing', actions: assign({ reason: 'restart after pairing' }) } },
              after: { connectTimeout: { target: '#connection.preparing', actions: assign({ reason: 'restart after pairing' }) } },
            },
          },
        },
        online: {
          entry: [assign({ reason: undefined }), 'enteredOnline'],
          // Not at entry: a link that is accepted and dropped at once must keep backing off.
          after: { backoffReset: { actions: assign({ attempt: 0 }) } },
          initial: 'alive',
          states: {
            alive: { after: { keepalive: { target: 'alive', reenter: true, actions: 'keepaliveTick' } } },
          },
        },
      },
    },
    backoff: {
      entry: 'reportReconnecting',
      after: { backoff: 'preparing' },
    },
    // Our Web build was refused: a newer published one lets the same credentials log in again; none means a release is needed.
    updating: {
      invoke: {
        src: 'updateWebVersion',
        input: ({ context }) => ({ host: context.host }),
        onDone: [
          { guard: ({ event }) => event.output, target: 'preparing', actions: assign({ reason: 'client outdated: logging in again with the newly published Web build' }) },
          { target: 'stopped', actions: assign({ reason: 'client outdated: WhatsApp refused our Web build and publishes no newer one' }) },
        ],
        onError: { target: 'stopped', actions: assign({ reason: 'client outdated: WhatsApp refused our Web build and the published one could not be fetched' }) },
      },
    },
    loggingOut: {
      invoke: { src: 'wipe', input: ({ context }) => ({ host: context.host, reason: context.reason ?? 'logged out' }), onDone: 'loggedOut' },
    },
    loggedOut: { type: 'final', entry: 'reportLoggedOut' },
    stopped: { type: 'final', entry: 'reportStopped' },
    terminated: { type: 'final', entry: 'reportStopped' },
  },
});

/** The delay drawn for the current backoff, per machine context (keeps random draws out of `delays`). */
const retryDelays = new WeakMap<ConnectionContext, number>();
