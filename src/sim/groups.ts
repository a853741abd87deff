/**
 * Groups: membership, admins and subject, and the `<group>` node that the
 * w:g2 IQs answer with (the shape Baileys' extractGroupMetadata reads). The
 * world is PN-addressed, so every group says addressing_mode="pn" and lists
 * participants by phone JID (with their LID in `lid`, as real WA does for PN
 * groups). It does not route messages (router.ts) or parse IQs (iq/groups.ts).
 */
import { randomInt } from 'node:crypto';
import { SimError } from './errors.js';
import { node, type BinaryNode } from './nodes.js';
import type { Directory } from './state.js';

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
}

export interface GroupSnapshot {
  id: string;
  subject: string;
  creator: string;
  creation: number;
  subjectOwner: string;
  subjectTime: number;
  participants: Array<[string, GroupRole]>;
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
  create(creator: string, subject: string, participants: readonly string[], nowSeconds: number): GroupRecord {
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
    }));
  }

  restore(groups: GroupSnapshot[]): void {
    for (const s of groups) {
      this.#groups.set(s.id, { ...s, jid: `${s.id}@${GROUP_SERVER}`, participants: new Map(s.participants) });
    }
  }
}

/** `<group …><participant …/>…</group>` as Baileys' extractGroupMetadata reads it. */
export function groupNode(g: GroupRecord, dir: Directory): BinaryNode {
  const participants = [...g.participants].map(([jid, role]) => {
    const attrs: Record<string, string> = { jid };
    if (role !== 'member') attrs.type = role;
    const lid = dir.userOf(jid)?.lid;
    if (lid) attrs.lid = lid;
    return node('participant', attrs);
  });
  return node(
    'group',
    {
      id: g.id,
      subject: g.subject,
      s_t: String(g.subjectTime),
      s_o: g.subjectOwner,
      creation: String(g.creation),
      creator: g.creator,
      addressing_mode: 'pn',
      size: String(g.participants.size),
    },
    participants,
  );
}
