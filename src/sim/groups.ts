/**
 * Groups: membership, admins, subject and addressing mode, and the
 * `<group>` node that the w:g2 IQs answer with (the shape Baileys'
 * extractGroupMetadata reads). A PN group (addressing_mode="pn") lists
 * participants by phone JID with their `lid`; a LID group lists them by LID
 * with their `phone_number` (unless they hide it), and names its creator and
 * subject owner by LID with `creator_pn` / `s_o_pn`, as WhatsApp does.
 * Members are kept by PN user jid either way. It does not route messages
 * (router.ts) or parse IQs (iq/groups.ts).
 */
import { randomInt } from 'node:crypto';
import { SimError } from './errors.js';
import { node, type BinaryNode } from './nodes.js';
import { participantAttrs, pnVisible, type AddressingMode } from './addressing.js';
import { restoreSettings, settingsNodes, snapshotSettings, type GroupSettings, type GroupSettingsSnapshot } from './group-settings.js';
import type { Directory, UserRecord } from './state.js';
import { communityNodes, type CommunityLink } from './community-link.js';

export const GROUP_SERVER = 'g.us';

export type GroupRole = 'superadmin' | 'admin' | 'member';

export interface GroupRecord {
  /** The user part, e.g. "120363012345678901". */
  id: string;
  jid: string;
  subject: string;
  /** Creator's user jid. */
  creator: string;
  /** Unix seconds. */
  creation: number;
  subjectOwner: string;
  subjectTime: number;
  /** User jid → role, in join order. */
  participants: Map<string, GroupRole>;
  /** How members are named on the group's stanzas. */
  addressingMode: AddressingMode;
  /** Description, switches, invites, join requests (group-settings.ts); absent while all are defaults. */
  settings?: GroupSettings | undefined;
  /** Its place in a community (community.ts); absent for a plain group. */
  community?: CommunityLink | undefined;
}

export interface GroupSnapshot {
  id: string;
  subject: string;
  creator: string;
  creation: number;
  subjectOwner: string;
  subjectTime: number;
  participants: Array<[string, GroupRole]>;
  /** Absent in snapshots from before LID groups: "pn". */
  addressingMode?: AddressingMode;
  settings?: GroupSettingsSnapshot | undefined;
  community?: CommunityLink | undefined;
}

export class GroupStore {
  readonly #groups = new Map<string, GroupRecord>();
  readonly #maxGroups: number;
  readonly #maxParticipants: number;

  constructor(maxGroups: number, maxParticipants: number) {
    this.#maxGroups = maxGroups;
    this.#maxParticipants = maxParticipants;
  }

  /**
   * @param participants user jids besides the creator
   * @throws SimError LIMIT, BAD_REQUEST
   */
  create(creator: string, subject: string, participants: readonly string[], nowSeconds: number, addressingMode: AddressingMode = 'pn'): GroupRecord {
    if (this.#groups.size >= this.#maxGroups) throw new SimError('LIMIT', 'too many groups');
    if (subject.length === 0 || subject.length > 100) throw new SimError('BAD_REQUEST', 'subject must be 1-100 characters');
    const members = new Map<string, GroupRole>([[creator, 'superadmin']]);
    for (const p of participants) if (!members.has(p)) members.set(p, 'member');
    if (members.size > this.#maxParticipants) throw new SimError('LIMIT', 'too many participants');
    let id: string;
    do id = `120363${String(randomInt(0, 1e6)).padStart(6, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
    while (this.#groups.has(id));
    const g: GroupRecord = {
      id,
      jid: `${id}@${GROUP_SERVER}`,
      subject,
      creator,
      creation: nowSeconds,
      subjectOwner: creator,
      subjectTime: nowSeconds,
      participants: members,
      addressingMode,
    };
    this.#groups.set(id, g);
    return g;
  }

  /** By "id@g.us" or bare id. */
  get(jid: string): GroupRecord | undefined {
    const at = jid.indexOf('@');
    if (at >= 0 && jid.slice(at + 1) !== GROUP_SERVER) return undefined;
    return this.#groups.get(at >= 0 ? jid.slice(0, at) : jid);
  }

  all(): GroupRecord[] {
    return [...this.#groups.values()];
  }

  ofUser(userJid: string): GroupRecord[] {
    return [...this.#groups.values()].filter((g) => g.participants.has(userJid));
  }

  /** Adds a member; false if already in. @throws SimError LIMIT */
  add(g: GroupRecord, userJid: string): boolean {
    if (g.participants.has(userJid)) return false;
    if (g.participants.size >= this.#maxParticipants) throw new SimError('LIMIT', 'too many participants');
    g.participants.set(userJid, 'member');
    return true;
  }

  remove(g: GroupRecord, userJid: string): boolean {
    const had = g.participants.delete(userJid);
    if (g.participants.size === 0) this.#groups.delete(g.id);
    return had;
  }

  setRole(g: GroupRecord, userJid: string, role: GroupRole): boolean {
    if (!g.participants.has(userJid)) return false;
    g.participants.set(userJid, role);
    return true;
  }

  isAdmin(g: GroupRecord, userJid: string): boolean {
    const r = g.participants.get(userJid);
    return r === 'admin' || r === 'superadmin';
  }

  snapshot(): GroupSnapshot[] {
    return [...this.#groups.values()].map((g) => ({
      id: g.id,
      subject: g.subject,
      creator: g.creator,
      creation: g.creation,
      subjectOwner: g.subjectOwner,
      subjectTime: g.subjectTime,
      participants: [...g.participants],
      ...(g.addressingMode === 'lid' ? { addressingMode: 'lid' as const } : {}),
      ...(g.settings ? { settings: snapshotSettings(g.settings) } : {}),
      ...(g.community ? { community: { ...g.community } } : {}),
    }));
  }

  restore(groups: GroupSnapshot[]): void {
    for (const s of groups) {
      this.#groups.set(s.id, { ...s, jid: `${s.id}@${GROUP_SERVER}`, participants: new Map(s.participants),
        addressingMode: s.addressingMode ?? 'pn',
        settings: s.settings ? restoreSettings(s.settings) : undefined,
        community: s.community ? { ...s.community } : undefined,
      });
    }
  }
}

/** `<group …><participant …/>…</group>` as Baileys' extractGroupMetadata reads it, for `reader`'s eyes. */
export function groupNode(g: GroupRecord, dir: Directory, reader: UserRecord): BinaryNode {
  const participants = [...g.participants].flatMap(([jid, role]) => {
    const user = dir.userOf(jid);
    if (!user) return [];
    const attrs = participantAttrs(g.addressingMode, user, reader);
    if (role !== 'member') attrs.type = role;
    return [node('participant', attrs)];
  });
  const attrs: Record<string, string> = {
    id: g.id,
    subject: g.subject,
    s_t: String(g.subjectTime),
    creation: String(g.creation),
    addressing_mode: g.addressingMode,
    size: String(g.participants.size),
  };
  Object.assign(attrs, namedAs(g.addressingMode, dir.userOf(g.subjectOwner), g.subjectOwner, reader, 's_o', 's_o_pn'));
  Object.assign(attrs, namedAs(g.addressingMode, dir.userOf(g.creator), g.creator, reader, 'creator', 'creator_pn'));
  return node('group', attrs, [...participants, ...settingsNodes(g.settings), ...communityNodes(g)]);
}

/** A person named on a group node: the PN in a PN group; the LID (and PN, when visible) in a LID group. */
function namedAs(mode: AddressingMode, user: UserRecord | undefined, pn: string, reader: UserRecord, key: string, pnKey: string): Record<string, string> {
  if (mode === 'pn' || !user) return { [key]: pn };
  return pnVisible(user, reader) ? { [key]: user.lid, [pnKey]: user.jid } : { [key]: user.lid };
}
