/**
 * Communities for one account (create, link and unlink groups, the tree of a
 * community), in the contract's shapes. A community is a
 * parent group; asked about any group linked to it, metadata answers the
 * community. Messaging exposes one instance; the IQs are Groups'.
 */
import type { CommunityCreated, CommunityInfo, CommunityLinkResult } from '../../contract/communities.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { MessagingError } from './errors.js';
import type { Groups } from './groups.js';

export class Communities {
  readonly #deps: MessagingDeps;
  readonly #groups: Groups;
  readonly #ready: () => void;
  readonly #jid: (chat: string) => string;

  /** @param ready throws when the account cannot act (closed, not paired) */
  constructor(deps: MessagingDeps, groups: Groups, ready: () => void, jid: (chat: string) => string) {
    this.#deps = deps;
    this.#groups = groups;
    this.#ready = ready;
    this.#jid = jid;
  }

  /** @throws MessagingError BAD_CONTENT when the server made no announcements group (WhatsApp always does) */
  async create(subject: string, description?: string): Promise<CommunityCreated> {
    this.#ready();
    const { community, announcements } = await this.#groups.createCommunity(subject, description);
    if (!announcements) throw new MessagingError('BAD_CONTENT', `community ${community.jid} was made without an announcements group`);
    return { jid: community.jid, announcementsJid: announcements };
  }

  /** The community of `group` (itself, or the one it is linked to), with its linked groups. */
  async metadata(group: string): Promise<CommunityInfo> {
    this.#ready();
    let meta = await this.#groups.metadata(this.#jid(group), true);
    if (!meta.isCommunity && meta.parent) meta = await this.#groups.metadata(meta.parent, true);
    if (!meta.isCommunity) throw new MessagingError('NOT_FOUND', `${group} is not a community nor linked to one`);
    const groups = await this.#groups.subGroups(meta.jid);
    const announcements = groups.find((g) => g.isAnnouncements);
    return {
      jid: meta.jid,
      subject: meta.subject,
      ...(meta.description ? { description: meta.description } : {}),
      ...(meta.owner ? { owner: meta.owner } : {}),
      participants: meta.participants.map((p) => ({ jid: p.jid, ...(p.admin ? { admin: p.admin } : {}), ...(p.phoneNumber ? { phoneNumber: p.phoneNumber } : {}), ...(p.lid ? { lid: p.lid } : {}) })),
      size: meta.size,
      ...(announcements ? { announcementsJid: announcements.jid } : {}),
      groups: groups.map((g) => ({ jid: g.jid, subject: g.subject, ...(g.isAnnouncements ? { isAnnouncements: true } : {}) })),
    };
  }

  /**
   * Leaves the community (named by itself or by any group linked to it):
   * WhatsApp takes us out of it and of every group linked to it, and their
   * members see us leave. @returns the community's jid
   */
  async leave(community: string): Promise<string> {
    this.#ready();
    const tree = await this.metadata(community);
    await this.#groups.leaveCommunity(tree.jid, tree.groups.map((g) => g.jid));
    return tree.jid;
  }

  /** One IQ per group, as WhatsApp's apps send them: a refusal of one leaves the others linked. */
  async link(community: string, groups: readonly string[], linked: boolean): Promise<CommunityLinkResult[]> {
    this.#ready();
    const parent = this.#jid(community);
    const out: CommunityLinkResult[] = [];
    for (const g of groups) {
      const jid = this.#jid(g);
      out.push({ jid, status: await this.#groups.linkGroup(parent, jid, linked) });
    }
    return out;
  }
}
