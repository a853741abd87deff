/**
 * Groups for messaging: metadata (members, addressing mode, disappearing
 * timer) behind a bounded cache that group notifications invalidate, and
 * the w:g2 operations the daemon API offers (create, metadata,
 * participants). Learns LID↔PN pairs from the member lists.
 *
 * Owns the metadata cache; sender-key rotation is outbound.ts's (it runs on
 * the group's sender mailbox).
 */
import { randomBytes } from 'node:crypto';
import { changeParticipants, createGroup, groupMetadata, type GroupMetadata, type ParticipantAction } from '../../protocol/iq/groups.js';
import { IqServerError } from '../../protocol/iq/index.js';
import { isLid, isPn } from '../../protocol/jid/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { BoundedMap } from './bounded.js';
import { MessagingError } from './errors.js';
import type { Identities } from './identity.js';

const MAX_GROUPS_CACHED = 1_000;
const TTL_MS = 10 * 60_000;

export class Groups {
  readonly #deps: MessagingDeps;
  readonly #ids: Identities;
  readonly #cache = new BoundedMap<string, GroupMetadata>(MAX_GROUPS_CACHED, { ttlMs: TTL_MS });

  constructor(deps: MessagingDeps, ids: Identities) {
    this.#deps = deps;
    this.#ids = ids;
  }

  /** @throws MessagingError NOT_MEMBER / NOT_FOUND for 403 / 404; IqServerError otherwise */
  async metadata(group: string, fresh = false): Promise<GroupMetadata> {
    const cached = fresh ? undefined : this.#cache.get(group);
    if (cached) return cached;
    try {
      return this.#remember(await this.#deps.port.execute(groupMetadata(group)));
    } catch (err) {
      throw mapGroupError(err, group);
    }
  }

  invalidate(group: string): void {
    this.#cache.delete(group);
  }

  async create(subject: string, participants: readonly string[]): Promise<GroupMetadata> {
    return this.#remember(await this.#deps.port.execute(createGroup(subject, participants, randomBytes(8).toString('hex').toUpperCase())));
  }

  async participants(group: string, action: ParticipantAction, jids: readonly string[]): Promise<Array<{ jid: string; status: number }>> {
    try {
      const out = await this.#deps.port.execute(changeParticipants(group, action, jids));
      this.invalidate(group);
      return out;
    } catch (err) {
      throw mapGroupError(err, group);
    }
  }

  #remember(meta: GroupMetadata): GroupMetadata {
    this.#cache.set(meta.jid, meta);
    for (const p of meta.participants) {
      if (isPn(p.jid) && p.lid) void this.#ids.learn(p.jid, p.lid).catch(() => undefined);
      if (isLid(p.jid) && p.phoneNumber) void this.#ids.learn(p.phoneNumber, p.jid).catch(() => undefined);
    }
    return meta;
  }
}

function mapGroupError(err: unknown, group: string): unknown {
  if (err instanceof IqServerError && (err.serverCode === 403 || err.serverCode === 401)) {
    return new MessagingError('NOT_MEMBER', `not a member of ${group}`, { cause: err });
  }
  if (err instanceof IqServerError && err.serverCode === 404) return new MessagingError('NOT_FOUND', `no group ${group}`, { cause: err });
  return err;
}
