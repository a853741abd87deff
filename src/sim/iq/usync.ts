/**
 * xmlns="usync": per-user answers to the protocols the client asks for.
 *   devices → `<devices><device-list><device id="0"/><device id=N key-index=K/>…</device-list></devices>`
 *             (a non-zero device without key-index is dropped by Baileys)
 *   contact → `<contact type="in|out">+1555…</contact>`; a user given as `<contact>+1555…</contact>` is
 *             resolved to its jid and the number is echoed as asked
 *   status  → `<status t>about</status>`; `<status code="401"/>` when the owner's privacy hides it
 *   picture → `<picture id/>` for a user with a picture it lets the asker see
 *   business → `<business><verified_name>certificate</verified_name></business>` for a business
 *   lid     → `<lid val="…@lid"/>` for a known user. Only clients that ask get it;
 *             Baileys 7 needs it: it fetches prekeys and keeps sessions by LID only,
 *             so without a LID it cannot start a 1:1 session at all (seen: "No sessions").
 *   other protocols → an empty node of that name
 * The `<usync>` attributes are echoed, as WhatsApp does.
 */
import { child, children, iqError, iqResult, node, textOf, type BinaryNode } from '../nodes.js';
import { proto } from '../../protocol/proto/index.js';
import { privacyHides } from '../privacy-book.js';
import type { UserRecord } from '../state.js';
import type { IqContext } from './index.js';
import { statusNode } from './profile.js';

const MAX_USERS_PER_QUERY = 5_000;

export function handleUsync(ctx: IqContext & { deviceJid: string }, iq: BinaryNode): BinaryNode {
  const usync = child(iq, 'usync');
  const query = child(usync, 'query');
  const list = child(usync, 'list');
  if (!usync || !query) return iqError(iq, 400, 'bad-request');
  const protocols = children(query).map((p) => p.tag);
  const users = children(list).filter((u) => u.tag === 'user');
  if (users.length > MAX_USERS_PER_QUERY) return iqError(iq, 400, 'too-many-users');
  const asker = ctx.hub.dir.userOf(ctx.deviceJid);
  const out: BinaryNode[] = [];
  for (const u of users) {
    const phoneQuery = textOf(child(u, 'contact'));
    let jid = u.attrs.jid;
    let record: UserRecord | undefined;
    if (jid) record = ctx.hub.dir.userOf(jid);
    else if (phoneQuery) {
      ctx.hub.stats.contactLookups++;
      const digits = phoneQuery.replace(/[^0-9]/g, '');
      jid = `${digits}@s.whatsapp.net`;
      record = ctx.hub.dir.user(digits);
    }
    if (!jid) continue;
    const parts: BinaryNode[] = [];
    for (const p of protocols) {
      if (p === 'devices') parts.push(devicesNode(record));
      else if (p === 'contact') parts.push(node('contact', { type: record ? 'in' : 'out' }, phoneQuery || undefined));
      else if (p === 'status') parts.push(statusNode(ctx, record, asker));
      else if (p === 'picture') parts.push(pictureNode(ctx, record, asker));
      else if (p === 'business') parts.push(businessNode(ctx, record));
      else if (p === 'lid') {
        if (record) parts.push(node('lid', { val: record.lid }));
      } else parts.push(node(p, {}));
    }
    out.push(node('user', { jid }, parts));
  }
  const attrs: Record<string, string> = {};
  for (const a of ['sid', 'mode', 'context', 'last', 'index']) {
    const v = usync.attrs[a];
    if (v !== undefined) attrs[a] = v;
  }
  return iqResult(iq, [node('usync', attrs, [node('result', {}, protocols.map((p) => node(p, {}))), node('list', {}, out)])]);
}

function devicesNode(user: UserRecord | undefined): BinaryNode {
  const list = user
    ? [...user.devices.values()]
        .sort((a, b) => a.deviceId - b.deviceId)
        .map((d) => (d.deviceId === 0 ? node('device', { id: '0' }) : node('device', { id: String(d.deviceId), 'key-index': String(d.keyIndex) })))
    : [];
  return node('devices', {}, [node('device-list', {}, list)]);
}

function pictureNode(ctx: IqContext & { deviceJid: string }, owner: UserRecord | undefined, asker: UserRecord | undefined): BinaryNode {
  const picture = owner ? ctx.hub.profiles.of(owner.jid)?.picture : undefined;
  if (!owner || !picture) return node('picture', {});
  if (asker && privacyHides(ctx.hub, owner, 'profile', asker)) return node('picture', { code: '401' });
  return node('picture', { id: picture.id });
}

/** A business answers with a verified-name certificate carrying its name (unsigned: the simulator has no business CA). */
function businessNode(ctx: IqContext & { deviceJid: string }, owner: UserRecord | undefined): BinaryNode {
  if (!owner || !ctx.hub.profiles.of(owner.jid)?.business) return node('business', {});
  const details = proto.VerifiedNameCertificate.Details.encode({ serial: 1, issuer: 'smb:wa', verifiedName: owner.name }).finish();
  const cert = proto.VerifiedNameCertificate.encode({ details }).finish();
  return node('business', {}, [node('verified_name', { v: '1' }, cert)]);
}
