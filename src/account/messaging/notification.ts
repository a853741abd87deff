/**
 * Incoming `<notification>`s that concern messaging: device list changes
 * (the cached list is dropped), a contact's identity change
 * (a reinstall: their sessions are rebuilt from fresh bundles before our next
 * message, and consumers are told), privacy tokens issued to us (stored with
 * their expiry), and group changes (metadata dropped from
 * the cache, our sender key rotated when a member left, `group:update`).
 *
 * Must not send messages.
 */
import type { BinaryNode } from '../../protocol/binary/index.js';
import { membersGone, parseGroupNotification, parseNotification, type GroupChange } from '../../protocol/stanza/index.js';
import { tcTokenExpiresAtMs } from '../../protocol/iq/privacy-tokens.js';
import { isLid, isPn, jidNormalizedUser } from '../../protocol/jid/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import type { ValueMap } from '../../store/index.js';
import type { StanzaHandler } from '../ports.js';
import type { DeviceDirectory } from './devices.js';
import type { Groups } from './groups.js';
import type { Identities } from './identity.js';
import type { Outbound } from './outbound.js';
import type { ChatSenders } from './sender.js';
import type { SessionCrypto } from './sessions.js';

export interface NotificationParts {
  readonly deps: MessagingDeps;
  readonly ids: Identities;
  readonly devices: DeviceDirectory;
  readonly sessions: SessionCrypto;
  readonly groups: Groups;
  readonly outbound: Outbound;
  readonly senders: ChatSenders;
}

export class NotificationHandler implements StanzaHandler {
  readonly tags = ['notification'] as const;
  readonly #p: NotificationParts;

  constructor(parts: NotificationParts) {
    this.#p = parts;
  }

  async handle(node: BinaryNode): Promise<void> {
    const group = parseGroupNotification(node);
    if (group) return this.#group(group);
    const n = parseNotification(node);
    const { deps, devices, sessions, ids } = this.#p;
    switch (n.kind) {
      case 'devices':
        await devices.invalidate(n.user);
        return;
      case 'identity': {
        if (n.device !== 0 || ids.isMe(n.user)) return;
        await devices.invalidate(n.user);
        // Sessions with every device of the contact are rebuilt from fresh bundles (the old ones can no longer decrypt).
        const list = await devices.devices([n.user]).catch(() => [] as string[]);
        const addresses = await deps.store.signalAddresses(list);
        const existing = await deps.store.sessions.getMany(addresses);
        const rebuild = list.filter((_, i) => existing[i] !== undefined);
        if (rebuild.length > 0 && !n.offline) await sessions.ensure(rebuild, rebuild).catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, 'session rebuild after identity change failed'));
        const chat = await ids.canonicalChat(n.user);
        await deps.events.emit({ type: 'account:status', conversationId: chat, data: { kind: 'identity-changed', jid: chat } });
        return;
      }
      case 'privacy-token': {
        const owner = n.senderLid && isLid(n.senderLid) ? jidNormalizedUser(n.senderLid) : ((await ids.lidOf(n.from)) ?? n.from);
        const existing = await deps.store.tcTokens.get(owner);
        const tokens = n.tokens.filter((t) => !existing || t.t >= existing.timestamp);
        const latest = tokens.sort((a, b) => b.t - a.t)[0];
        if (!latest) return;
        await deps.store.transaction((tx) => tx.tcTokens.put(owner, { token: latest.token, timestamp: latest.t, expiresAt: tcTokenExpiresAtMs(latest.t) }));
        return;
      }
      default:
        return;
    }
  }

  async #group(n: NonNullable<ReturnType<typeof parseGroupNotification>>): Promise<void> {
    const { deps, groups, outbound, senders, ids } = this.#p;
    groups.invalidate(n.group);
    const gone = membersGone(n);
    if (gone.length > 0) {
      // In the group's sender mailbox: never between a send's encrypt and its stanza.
      await senders.run(n.group, () => outbound.rotateSenderKey(n.group));
    }
    const weLeft = gone.some((j) => ids.isMe(j));
    // A LID group names members by LID, with the numbers they show: learned, so that
    // consumers see the same ids here as on their messages (the number when known).
    await learnPair(ids, n.actor, n.actorPn);
    for (const c of n.changes) for (const p of c.participants) await learnPair(ids, p.jid, p.phoneNumber ?? p.lid);
    const named = async (jid: string): Promise<string> => (isLid(jid) ? ids.canonicalChat(jid) : jid);
    const changes = [];
    for (const c of n.changes) {
      const participants = await Promise.all(c.participants.map((p) => named(p.jid)));
      changes.push({ ...groupChangeData(c), participants });
    }
    await deps.events.emit({
      type: 'group:update',
      conversationId: n.group,
      data: {
        group: n.group,
        actor: n.actor ? await named(n.actor) : null,
        t: n.t,
        changes,
        ...(weLeft ? { left: true } : {}),
      },
    });
  }
}

/** Records that `one` and `alt` (a PN and a LID, either way round) are one person. */
async function learnPair(ids: Identities, one: string | undefined, alt: string | undefined): Promise<void> {
  const a = jidNormalizedUser(one);
  const b = jidNormalizedUser(alt);
  if (isPn(a) && isLid(b)) await ids.learn(a, b);
  else if (isLid(a) && isPn(b)) await ids.learn(b, a);
}

/** One change of a group:update event: what happened, to whom, and the new value where there is one. */
function groupChangeData(c: GroupChange): ValueMap {
  return {
    action: c.action,
    participants: c.participants.map((p) => p.jid),
    ...(c.subject ? { subject: c.subject } : {}),
    ...(c.expiration !== undefined ? { expiration: c.expiration } : {}),
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.code !== undefined ? { code: c.code } : {}),
    ...(c.memberAddMode !== undefined ? { memberAddMode: c.memberAddMode === 'all_member_add' ? 'all' : 'admin' } : {}),
    ...(c.joinApproval !== undefined ? { joinApproval: c.joinApproval } : {}),
    ...(c.requestMethod !== undefined ? { method: c.requestMethod } : {}),
    ...(c.linkType !== undefined ? { linkType: c.linkType } : {}),
    ...(c.groups !== undefined ? { groups: c.groups.map((g) => g.jid) } : {}),
  };
}
