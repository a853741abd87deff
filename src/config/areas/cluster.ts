/**
 * Several daemons sharing one PostgreSQL store: leases on accounts, and the
 * forwarding of requests to the daemon that runs an account.
 */
import { bool, int, nullable, object, ok, bad, refine, str } from '../checks.js';
import { hostPort, ms, type HostPort } from '../values.js';

/**
 * Several daemons sharing one PostgreSQL store (store.backend "postgres"):
 * each account is run by one daemon at a time, under a lease.
 */
export interface ClusterConfig {
  readonly enabled: boolean;
  /** This daemon's id among them; null: `<hostname>-<random>`, new at each start. */
  readonly daemonId: string | null;
  /** How long a lease lasts unrenewed: a dead daemon's accounts move after about this long. */
  readonly leaseMs: number;
  /** How often leases are renewed and accounts rebalanced (well under leaseMs). */
  readonly renewMs: number;
  /** Where this daemon takes requests forwarded by the others (host:port); null: it takes none. */
  readonly listen: HostPort | null;
  /** What the others connect to for it (host:port); null: the listen address (its port resolved). */
  readonly advertise: HostPort | null;
  /** Shared by every daemon of the cluster: a forwarded request carries it (required with listen). */
  readonly secret: string | null;
  /** A forwarded request's time limit, connecting included. */
  readonly forwardTimeoutMs: number;
  /** Forwarded requests in flight at once, each way (more: RATE_LIMITED). */
  readonly maxForwards: number;
  /** Largest forwarded request or answer body. */
  readonly maxForwardBytes: number;
}

const clusterShape = object({
  enabled: bool,
  daemonId: nullable(refine(str({ nonEmpty: true }), (v) => (/^[A-Za-z0-9_.-]{1,64}$/.test(v) ? ok(v) : bad('1-64 letters, digits, _ . or -')))),
  leaseMs: ms(1000, 600_000),
  renewMs: ms(100, 300_000),
  listen: nullable(hostPort),
  advertise: nullable(hostPort),
  secret: nullable(refine(str({ nonEmpty: true }), (v) => (v.length >= 32 ? ok(v) : bad('a secret of at least 32 characters')))),
  forwardTimeoutMs: ms(100, 600_000),
  maxForwards: int(1, 100_000),
  maxForwardBytes: int(1024, 1 << 30),
});

/** Forwarding's keys: a cluster object given whole (a test's override) without them takes these. */
const FORWARDING_DEFAULTS = { listen: null, advertise: null, secret: null, forwardTimeoutMs: 30_000, maxForwards: 256, maxForwardBytes: 64 << 20 };

export const clusterSchema: typeof clusterShape = (v, path, issues) =>
  clusterShape(typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...FORWARDING_DEFAULTS, ...v } : v, path, issues);
