/**
 * Channels (newsletters) as the server keeps them: name, description,
 * invite code, owner and followers (by user jid), who muted it, the posts'
 * running number, and each post's reactions. Answers are the GraphQL
 * newsletter object the MEX queries return, as the viewer sees it (their
 * role, their mute). It does not parse IQs (iq/mex.ts) or route posts
 * (newsletter-router.ts). Bounded: channels by the group limit, followers by
 * the group size limit, reactions kept for the last posts only.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { SimError } from './errors.js';

export const NEWSLETTER_SERVER = 'newsletter';

/** Posts whose reactions are kept per channel (older ones forget theirs). */
const REACTED_POSTS_KEPT = 200;

export interface NewsletterRecord {
  jid: string;
  name: string;
  description: string;
  invite: string;
  /** Owner's user jid. */
  owner: string;
  /** Unix seconds. */
  creation: number;
  /** Follower user jids (the owner is not one). */
  followers: Set<string>;
  muted: Set<string>;
  /** The last post's server id. */
  lastServerId: number;
  /** server id → reactor user jid → code */
  reactions: Map<number, Map<string, string>>;
}

export interface NewsletterSnapshot {
  jid: string;
  name: string;
  description: string;
  invite: string;
  owner: string;
  creation: number;
  followers: string[];
  muted: string[];
  lastServerId: number;
}

export class NewsletterStore {
  readonly #byJid = new Map<string, NewsletterRecord>();
  readonly #byInvite = new Map<string, NewsletterRecord>();
  readonly #max: number;
  readonly #maxFollowers: number;

  constructor(max: number, maxFollowers: number) {
    this.#max = max;
    this.#maxFollowers = maxFollowers;
  }

  /** @throws SimError LIMIT, BAD_REQUEST (a name of 1-100 characters, a description up to 2048) */
  create(owner: string, name: string, description: string, nowSeconds: number): NewsletterRecord {
    if (this.#byJid.size >= this.#max) throw new SimError('LIMIT', 'too many channels');
    if (name.trim().length === 0 || name.length > 100) throw new SimError('BAD_REQUEST', 'name must be 1-100 characters');
    if (description.length > 2048) throw new SimError('BAD_REQUEST', 'description too long');
    let jid: string;
    do jid = `120363${String(randomInt(0, 1e6)).padStart(6, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}@${NEWSLETTER_SERVER}`;
    while (this.#byJid.has(jid));
    const record: NewsletterRecord = {
      jid,
      name,
      description,
      invite: randomBytes(16).toString('base64url').slice(0, 22),
      owner,
      creation: nowSeconds,
      followers: new Set(),
      muted: new Set(),
      lastServerId: 99,
      reactions: new Map(),
    };
    this.#add(record);
    return record;
  }

  get(jid: string): NewsletterRecord | undefined {
    return this.#byJid.get(jid);
  }

  byInvite(code: string): NewsletterRecord | undefined {
    return this.#byInvite.get(code);
  }

  /** Channels a user owns or follows, owned first. */
  of(user: string): NewsletterRecord[] {
    const all = [...this.#byJid.values()];
    return [...all.filter((n) => n.owner === user), ...all.filter((n) => n.owner !== user && n.followers.has(user))];
  }

  /** @throws SimError LIMIT when the channel has as many followers as allowed */
  follow(n: NewsletterRecord, user: string): void {
    if (n.owner === user || n.followers.has(user)) return;
    if (n.followers.size >= this.#maxFollowers) throw new SimError('LIMIT', 'too many followers');
    n.followers.add(user);
  }

  unfollow(n: NewsletterRecord, user: string): void {
    n.followers.delete(user);
    n.muted.delete(user);
  }

  /** The next post's server id. */
  nextServerId(n: NewsletterRecord): number {
    return ++n.lastServerId;
  }

  /** A reaction (empty code: taken back) → the post's counts now; undefined for a post that does not exist. */
  react(n: NewsletterRecord, serverId: number, user: string, code: string): Record<string, number> | undefined {
    if (!Number.isSafeInteger(serverId) || serverId <= 99 || serverId > n.lastServerId) return undefined;
    let byUser = n.reactions.get(serverId);
    if (!byUser) {
      byUser = new Map();
      n.reactions.set(serverId, byUser);
      if (n.reactions.size > REACTED_POSTS_KEPT) n.reactions.delete(n.reactions.keys().next().value!);
    }
    if (code === '') byUser.delete(user);
    else byUser.set(user, code);
    const counts: Record<string, number> = {};
    for (const c of byUser.values()) counts[c] = (counts[c] ?? 0) + 1;
    return counts;
  }

  /** The GraphQL newsletter object as `viewer` (a user jid) sees it. */
  view(n: NewsletterRecord, viewer: string): Record<string, unknown> {
    const role = n.owner === viewer ? 'OWNER' : n.followers.has(viewer) ? 'SUBSCRIBER' : 'GUEST';
    return {
      id: n.jid,
      state: { type: 'ACTIVE' },
      thread_metadata: {
        creation_time: String(n.creation),
        name: { id: n.jid, text: n.name, update_time: String(n.creation) },
        description: { id: n.jid, text: n.description, update_time: String(n.creation) },
        invite: n.invite,
        subscribers_count: String(n.followers.size),
        verification: 'UNVERIFIED',
        // Baileys reads picture.id unguarded: an empty picture, never null.
        picture: {},
        preview: {},
        settings: { reaction_codes: { value: 'ALL' } },
      },
      viewer_metadata: { role, mute: n.muted.has(viewer) ? 'ON' : 'OFF' },
    };
  }

  snapshot(): NewsletterSnapshot[] {
    return [...this.#byJid.values()].map((n) => ({
      jid: n.jid,
      name: n.name,
      description: n.description,
      invite: n.invite,
      owner: n.owner,
      creation: n.creation,
      followers: [...n.followers],
      muted: [...n.muted],
      lastServerId: n.lastServerId,
    }));
  }

  restore(snaps: readonly NewsletterSnapshot[]): void {
    for (const s of snaps) {
      this.#add({ ...s, followers: new Set(s.followers), muted: new Set(s.muted), reactions: new Map() });
    }
  }

  #add(n: NewsletterRecord): void {
    this.#byJid.set(n.jid, n);
    this.#byInvite.set(n.invite, n);
  }
}
