/**
 * Groups for messaging: metadata (members, addressing mode, disappearing
 * timer) behind a bounded cache that group notifications invalidate, and
 * the w:g2 operations the daemon API offers (create, metadata, list,
 * participants, settings, invites, join, join requests, leave; communities:
 * create, link and unlink, their linked groups). Learns
 * LID↔PN pairs from the member lists.
 *
 * Owns the metadata cache; sender-key rotation is outbound.ts's (it runs on
 * the group's sender mailbox).
 */
import { randomBytes } from 'node:crypto';
import {
  acceptGroupInvite,
  answerJoinRequests,
  groupInviteCode,
  groupJoinRequests,
  joinGroupByCode,
  revokeGroupInvite,
  setGroupDescription,
  setGroupSetting,
  type GroupSettingChange,
  type JoinRequest,
  type JoinResult,
} from '../../protocol/iq/group-admin.js';
import {
  changeParticipants,
  createGroup,
  groupMetadata,
  leaveGroups,
  participatingGroups,
  setGroupSubject,
  type GroupMetadata,
  type ParticipantAction,
  type ParticipantResult,
} from '../../protocol/iq/groups.js';
import { communitySubGroups, createCommunity, leaveCommunity, linkSubGroup, unlinkSubGroup, type LinkedGroup } from '../../protocol/iq/communities.js';
import { IqServerError, type IqSpec } from '../../protocol/iq/index.js';
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

  async participants(group: string, action: ParticipantAction, jids: readonly string[]): Promise<ParticipantResult[]> {
    return this.#admin(group, changeParticipants(group, action, jids));
  }

  /** Every group we are in, fresh from the server (each remembered in the cache). */
  async list(): Promise<GroupMetadata[]> {
    return (await this.#deps.port.execute(participatingGroups)).map((g) => this.#remember(g));
  }

  async setSubject(group: string, subject: string): Promise<void> {
    await this.#admin(group, setGroupSubject(group, subject));
  }

  /** Sets (or with "" deletes) the description, naming the current one so a concurrent change is not overwritten. */
  async setDescription(group: string, text: string): Promise<void> {
    const prev = (await this.metadata(group, true)).descriptionId;
    await this.#admin(group, setGroupDescription(group, text, randomBytes(8).toString('hex').toUpperCase(), prev));
  }

  async setSetting(group: string, change: GroupSettingChange): Promise<void> {
    await this.#admin(group, setGroupSetting(group, change));
  }

  async inviteCode(group: string, revoke: boolean): Promise<string> {
    return this.#admin(group, revoke ? revokeGroupInvite(group) : groupInviteCode(group));
  }

  /** @throws MessagingError NOT_FOUND when the code is unknown or revoked */
  async join(code: string): Promise<JoinResult> {
    try {
      const out = await this.#deps.port.execute(joinGroupByCode(code));
      this.invalidate(out.jid);
      return out;
    } catch (err) {
      if (err instanceof IqServerError && (err.serverCode === 406 || err.serverCode === 404 || err.serverCode === 410)) {
        throw new MessagingError('NOT_FOUND', 'no group has this invite code (revoked or mistyped)', { cause: err });
      }
      if (err instanceof IqServerError && err.serverCode === 304) throw new MessagingError('ALREADY_EXISTS', 'already a member of this group', { cause: err });
      throw err;
    }
  }

  /**
   * Accepts an invite message an admin sent us (what Baileys'
   * groupAcceptInviteV4 does).
   * @throws MessagingError NOT_FOUND (unknown, revoked or expired), ALREADY_EXISTS
   */
  async acceptInvite(group: string, code: string, expiration: number, admin: string): Promise<void> {
    try {
      await this.#deps.port.execute(acceptGroupInvite(group, code, expiration, admin));
    } catch (err) {
      if (err instanceof IqServerError && (err.serverCode === 404 || err.serverCode === 410 || err.serverCode === 406)) {
        throw new MessagingError('NOT_FOUND', `the invite to ${group} is unknown, revoked or expired`, { cause: err });
      }
      if (err instanceof IqServerError && err.serverCode === 409) throw new MessagingError('ALREADY_EXISTS', `already a member of ${group}`, { cause: err });
      throw mapGroupError(err, group);
    } finally {
      this.invalidate(group);
    }
  }

  async joinRequests(group: string): Promise<JoinRequest[]> {
    return this.#admin(group, groupJoinRequests(group));
  }

  async answerJoinRequests(group: string, action: 'approve' | 'reject', jids: readonly string[]): Promise<Array<{ jid: string; status: number }>> {
    return this.#admin(group, answerJoinRequests(group, action, jids));
  }

  /** A community and, made by the server with it, its announcements group. */
  async createCommunity(subject: string, description: string | undefined): Promise<{ community: GroupMetadata; announcements?: string | undefined }> {
    const id = () => randomBytes(8).toString('hex').toUpperCase();
    const community = this.#remember(await this.#deps.port.execute(createCommunity(subject, description, id(), id())));
    const linked = await this.subGroups(community.jid);
    return { community, announcements: linked.find((g) => g.isAnnouncements)?.jid };
  }

  async subGroups(community: string): Promise<LinkedGroup[]> {
    return this.#admin(community, communitySubGroups(community));
  }

  /** Links (or unlinks) one group: 200, or the server's code (401 not an admin of both, 404, 409 linked elsewhere). */
  async linkGroup(community: string, group: string, linked: boolean): Promise<number> {
    try {
      await this.#deps.port.execute(linked ? linkSubGroup(community, group) : unlinkSubGroup(community, group));
      return 200;
    } catch (err) {
      if (err instanceof IqServerError) return err.serverCode;
      throw err;
    } finally {
      this.invalidate(community);
      this.invalidate(group);
    }
  }

  async leave(group: string): Promise<void> {
    await this.#admin(group, leaveGroups([group]));
  }

  /** Out of the community and each group of it (their cached metadata dropped). */
  async leaveCommunity(community: string, groups: readonly string[]): Promise<void> {
    await this.#admin(community, leaveCommunity(community));
    for (const g of groups) this.invalidate(g);
  }

  /** Runs an IQ about one group: its cached metadata is dropped, its errors mapped. */
  async #admin<T>(group: string, spec: IqSpec<T>): Promise<T> {
    try {
      return await this.#deps.port.execute(spec);
    } catch (err) {
      throw mapGroupError(err, group);
    } finally {
      this.invalidate(group);
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
    return new MessagingError('NOT_MEMBER', `not a member of ${group}, or not one of its admins`, { cause: err });
  }
  if (err instanceof IqServerError && err.serverCode === 409) return new MessagingError('CONFLICT', `${group} changed meanwhile: ${err.text || 'conflict'}`, { cause: err });
  if (err instanceof IqServerError && err.serverCode === 404) return new MessagingError('NOT_FOUND', `no group ${group}`, { cause: err });
  return err;
}
