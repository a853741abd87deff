/**
 * Admission control for the control socket: which accepted sockets may stay.
 * Every socket counts from accept on, before it said a word, because that is
 * when it costs a file descriptor. Bounds: connections in all, handshakes in
 * all (accepted, not yet through the WebSocket upgrade and the token check),
 * connections per TCP peer address, a deadline for the handshake, an idle
 * deadline for connections that have nothing going on, and the process's
 * file descriptors (FdBudget).
 *
 * Who gives way when a bound is reached: a TCP stranger may only push out the
 * oldest unfinished TCP handshake (a finished one carried a valid token). The
 * owner, on the Unix socket (mode 0600: nobody else can connect), may push
 * out a stranger's handshake, then the connection idle the longest, then its
 * own oldest unfinished handshake, so the owner's own forgotten clients can
 * never lock the owner out. A socket that finds no room is refused at once:
 * its descriptor comes back before the next accept.
 *
 * Owns the counting and the choice; the server wires sockets in, a
 * Connection says whether it is idle and says goodbye when pushed out.
 */
import type { Socket } from 'node:net';
import type { FdBudget } from './fd-budget.js';

export type ListenerKind = 'unix' | 'tcp';

export interface AdmissionLimits {
  /** Connections in all, handshakes included, both listeners. */
  maxConnections: number;
  /** Connections from one TCP address, handshakes included. */
  maxConnectionsPerPeer: number;
  /** Sockets accepted but not yet through the upgrade (and the token check on TCP). */
  maxHandshakes: number;
  /** Accept to finished upgrade. */
  handshakeTimeoutMs: number;
  /** A connection with nothing going on for this long is closed. */
  idleTimeoutMs: number;
}

/** What admission needs of an upgraded connection. */
export interface Admitted {
  /** Since when nothing is going on (no subscription, request, upload or account watch); undefined while busy. */
  idleSince(): number | undefined;
  /** Says goodbye with a close frame; the socket is the admission's to end. */
  evict(reason: string): void;
}

export interface AdmissionStats {
  /** Sockets open now (descriptors held), in any state. */
  sockets: number;
  handshakes: number;
  connections: number;
  /** Since start: refused at accept (no room), pushed out for a newcomer, cut for a missed deadline. */
  refused: number;
  evicted: number;
  timedOut: number;
}

interface Entry {
  readonly socket: Socket;
  readonly kind: ListenerKind;
  readonly peer: string;
  readonly since: number;
  conn: Admitted | undefined;
  /** Takes a slot: admitted, and not yet closed, pushed out or on its way out. */
  slot: boolean;
  /** Its descriptor is no longer counted. */
  released: boolean;
}

const OWNER = 'owner';

/** An IPv4 peer seen through an IPv6 socket is the same peer. */
function peerOf(socket: Socket): string {
  const a = socket.remoteAddress ?? 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

export class Admission {
  readonly #limits: AdmissionLimits;
  readonly #budget: FdBudget;
  readonly #now: () => number;
  readonly #entries = new WeakMap<Socket, Entry>();
  /** Unfinished handshakes per listener, oldest first. */
  readonly #handshakes = { tcp: new Set<Entry>(), unix: new Set<Entry>() };
  readonly #open = new Set<Entry>();
  /** TCP peers: their unfinished handshakes (oldest first) and their slots in all. */
  readonly #peers = new Map<string, { handshakes: Set<Entry>; slots: number }>();
  #sockets = 0;
  #refused = 0;
  #evicted = 0;
  #timedOut = 0;

  constructor(limits: AdmissionLimits, budget: FdBudget, now: () => number) {
    this.#limits = limits;
    this.#budget = budget;
    this.#now = now;
  }

  get stats(): AdmissionStats {
    return {
      sockets: this.#sockets,
      handshakes: this.#handshakes.tcp.size + this.#handshakes.unix.size,
      connections: this.#open.size,
      refused: this.#refused,
      evicted: this.#evicted,
      timedOut: this.#timedOut,
    };
  }

  /** Descriptors the control socket holds now. */
  get sockets(): number {
    return this.#sockets;
  }

  /** A socket was just accepted: keep it (true) or refuse it (it is being closed). */
  admit(socket: Socket, kind: ListenerKind): boolean {
    const e: Entry = { socket, kind, peer: kind === 'tcp' ? peerOf(socket) : OWNER, since: this.#now(), conn: undefined, slot: false, released: false };
    this.#sockets++;
    this.#entries.set(socket, e);
    socket.once('close', () => this.#closed(e));
    const share = kind === 'unix' ? 0.5 : 0;
    for (let short = this.#budget.shortfall(this.#sockets, share); short > 0; short = this.#budget.shortfall(this.#sockets, share)) {
      // A stranger can only take a stranger's place: when even that cannot make room, nobody needs pushing out.
      if (kind === 'tcp' && short > this.#handshakes.tcp.size) return this.#refuse(e, false);
      if (!this.#makeRoom(kind)) return this.#refuse(e, false);
    }
    while (this.#slots() >= this.#limits.maxConnections) {
      if (!this.#makeRoom(kind)) return this.#refuse(e, true);
    }
    while (this.#handshakes.tcp.size + this.#handshakes.unix.size >= this.#limits.maxHandshakes) {
      if (!this.#pushOutHandshake(kind)) return this.#refuse(e, true);
    }
    if (kind === 'tcp') {
      for (;;) {
        const p = this.#peers.get(e.peer);
        if (!p || p.slots < this.#limits.maxConnectionsPerPeer) break;
        const oldest = first(p.handshakes);
        if (!oldest) return this.#refuse(e, true);
        this.#pushOut(oldest);
      }
      const p = this.#peer(e.peer);
      p.slots++;
      p.handshakes.add(e);
    }
    this.#handshakes[kind].add(e);
    e.slot = true;
    return true;
  }

  /**
   * The upgrade went through: the socket is `conn` from now on. False when
   * the socket was pushed out or timed out meanwhile (drop the connection).
   */
  opened(socket: Socket, conn: Admitted): boolean {
    const e = this.#entries.get(socket);
    if (!e || !e.slot) return false;
    this.#handshakes[e.kind].delete(e);
    if (e.kind === 'tcp') this.#peers.get(e.peer)?.handshakes.delete(e);
    e.conn = conn;
    this.#open.add(e);
    return true;
  }

  /** Periodic: handshakes past their deadline and idle connections go. */
  sweep(): void {
    const now = this.#now();
    for (const set of [this.#handshakes.tcp, this.#handshakes.unix]) {
      // Oldest first: stop at the first one still within its deadline.
      for (const e of set) {
        if (now - e.since < this.#limits.handshakeTimeoutMs) break;
        this.#timedOut++;
        this.#destroy(e);
      }
    }
    for (const e of this.#open) {
      const idle = e.conn!.idleSince();
      if (idle === undefined || now - idle < this.#limits.idleTimeoutMs) continue;
      this.#timedOut++;
      this.#leave(e);
      // Gracefully: the connection closes itself and cuts a peer that does not answer.
      e.conn!.evict(`idle for ${Math.round((now - idle) / 1000)} s`);
    }
  }

  #slots(): number {
    return this.#handshakes.tcp.size + this.#handshakes.unix.size + this.#open.size;
  }

  #peer(peer: string): { handshakes: Set<Entry>; slots: number } {
    let p = this.#peers.get(peer);
    if (!p) this.#peers.set(peer, (p = { handshakes: new Set(), slots: 0 }));
    return p;
  }

  /**
   * Frees one slot (and its descriptor) for a newcomer of `kind`, if it may:
   * a stranger's unfinished handshake first, then (for the owner) the
   * connection idle the longest, and only then the owner's own oldest
   * unfinished handshake, which is about to do something.
   */
  #makeRoom(kind: ListenerKind): boolean {
    const stranger = first(this.#handshakes.tcp);
    if (stranger) {
      this.#pushOut(stranger);
      return true;
    }
    if (kind !== 'unix') return false;
    let victim: Entry | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const e of this.#open) {
      const idle = e.conn!.idleSince();
      if (idle !== undefined && idle < oldest) [victim, oldest] = [e, idle];
    }
    if (victim) {
      victim.conn!.evict('pushed out: too many connections, this one was idle the longest');
      this.#pushOut(victim);
      return true;
    }
    return this.#pushOutHandshake(kind);
  }

  /** The oldest unfinished TCP handshake goes; for the owner, then the oldest unfinished Unix one. */
  #pushOutHandshake(kind: ListenerKind): boolean {
    const victim = first(this.#handshakes.tcp) ?? (kind === 'unix' ? first(this.#handshakes.unix) : undefined);
    if (!victim) return false;
    this.#pushOut(victim);
    return true;
  }

  #pushOut(e: Entry): void {
    this.#evicted++;
    this.#destroy(e);
  }

  #refuse(e: Entry, answer: boolean): false {
    this.#refused++;
    this.#leave(e);
    if (!answer) {
      this.#destroy(e);
      return false;
    }
    // Told why when there is a moment for it; the descriptor comes back once the answer is out.
    const body = '{"code":"UNAVAILABLE","message":"too many connections; try again later"}';
    e.socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`, () => this.#destroy(e));
    return false;
  }

  /** Closes the socket now; a destroyed socket's descriptor is closed at once. */
  #destroy(e: Entry): void {
    this.#leave(e);
    e.socket.destroy();
    this.#release(e);
  }

  /** Stops taking a slot. */
  #leave(e: Entry): void {
    if (!e.slot) return;
    e.slot = false;
    this.#handshakes[e.kind].delete(e);
    this.#open.delete(e);
    if (e.kind === 'tcp') {
      const p = this.#peers.get(e.peer);
      if (p) {
        p.handshakes.delete(e);
        if (--p.slots <= 0) this.#peers.delete(e.peer);
      }
    }
  }

  #release(e: Entry): void {
    if (e.released) return;
    e.released = true;
    this.#sockets--;
  }

  #closed(e: Entry): void {
    this.#leave(e);
    this.#release(e);
  }
}

function first<T>(set: Set<T>): T | undefined {
  for (const x of set) return x;
  return undefined;
}
