/**
 * Profiles, as WhatsApp answers them:
 *   xmlns="w:profile:picture" get target=jid <picture type="preview|image"/>
 *     → <picture id url direct_path type/>; 404 item-not-found when there is none,
 *       401 not-authorized when the owner's `profile` privacy hides it from the asker
 *   xmlns="w:profile:picture" set [target=group] <picture type="image">jpeg</picture> → <picture id/>;
 *     no child removes it; a group's needs an admin. Contacts are told (`picture` notification),
 *     for a group its members (from=group, the admin as `author`).
 *   xmlns="status" set <status>text</status>: the about; contacts are told (`status` notification).
 *   xmlns="w:biz" get <business_profile><profile jid/></business_profile>
 *     → the profile of a business, an empty <business_profile/> for anyone else
 */
import { bytesOf, child, iqError, iqResult, node, textOf, type BinaryNode } from '../nodes.js';
import { MAX_ABOUT_BYTES, MAX_PICTURE_BYTES, notifyGroupPicture, notifyProfileChange } from '../profiles.js';
import type { UserRecord } from '../state.js';
import { privacyHides } from '../privacy-book.js';
import type { IqContext } from './index.js';

type Ctx = IqContext & { deviceJid: string };

export function handleProfilePicture(ctx: Ctx, iq: BinaryNode): BinaryNode {
  const { hub } = ctx;
  const me = hub.dir.userOf(ctx.deviceJid);
  if (!me) return iqError(iq, 401, 'not-authorized');
  const target = iq.attrs.target;
  if (iq.attrs.type === 'get') {
    const owner = target ? hub.dir.userOf(target) : me;
    const group = target?.endsWith('@g.us') ? hub.groups.get(target) : undefined;
    const key = group ? group.jid : owner?.jid;
    if (!key) return iqError(iq, 404, 'item-not-found');
    if (owner && owner !== me && privacyHides(hub, owner, 'profile', me)) return iqError(iq, 401, 'not-authorized');
    const picture = hub.profiles.of(key)?.picture;
    if (!picture || !hub.media) return iqError(iq, 404, 'item-not-found');
    const preview = child(iq, 'picture')?.attrs.type === 'preview';
    const path = preview ? picture.previewPath : picture.fullPath;
    return iqResult(iq, [node('picture', { id: picture.id, type: preview ? 'preview' : 'image', url: `https://${hub.media.hostname}${path}`, direct_path: path })]);
  }
  // set: our own picture, or a group's we administer
  let key = me.jid;
  if (target && target !== me.jid && hub.dir.userOf(target) !== me) {
    const group = hub.groups.get(target);
    if (!group) return iqError(iq, 404, 'item-not-found');
    const role = group.participants.get(me.jid);
    if (role === undefined) return iqError(iq, 403, 'forbidden');
    if (role !== 'admin' && role !== 'superadmin') return iqError(iq, 401, 'not-authorized');
    key = group.jid;
  }
  const jpeg = bytesOf(child(iq, 'picture'));
  if (!jpeg) {
    const removed = hub.profiles.removePicture(key);
    if (removed && key === me.jid) notifyProfileChange(hub, me, node('delete', { jid: me.jid }), 'picture', ctx.deviceJid);
    else if (removed) notifyGroupPicture(hub, key, node('delete', { jid: key, author: me.jid }), ctx.deviceJid);
    return iqResult(iq);
  }
  if (jpeg.length === 0 || jpeg.length > MAX_PICTURE_BYTES || !isJpeg(jpeg)) return iqError(iq, 400, 'bad-request');
  const picture = hub.profiles.setPicture(hub, key, jpeg);
  if (!picture) return iqError(iq, 500, 'internal-server-error');
  if (key === me.jid) notifyProfileChange(hub, me, node('set', { jid: me.jid, id: picture.id }), 'picture', ctx.deviceJid);
  else notifyGroupPicture(hub, key, node('set', { jid: key, id: picture.id, author: me.jid }), ctx.deviceJid);
  hub.onChange();
  return iqResult(iq, [node('picture', { id: picture.id })]);
}

export function handleStatus(ctx: Ctx, iq: BinaryNode): BinaryNode {
  const me = ctx.hub.dir.userOf(ctx.deviceJid);
  if (!me) return iqError(iq, 401, 'not-authorized');
  if (iq.attrs.type !== 'set') return iqError(iq, 400, 'bad-request');
  const bytes = bytesOf(child(iq, 'status')) ?? new Uint8Array();
  if (bytes.length > MAX_ABOUT_BYTES) return iqError(iq, 400, 'bad-request');
  const text = textOf(child(iq, 'status')) ?? '';
  ctx.hub.profiles.setAbout(me.jid, text, Number(ctx.hub.nowSeconds()));
  notifyProfileChange(ctx.hub, me, node('set', {}, text), 'status', ctx.deviceJid);
  return iqResult(iq);
}

export function handleBusiness(ctx: Ctx, iq: BinaryNode): BinaryNode {
  const jid = child(child(iq, 'business_profile'), 'profile')?.attrs.jid;
  const user = jid ? ctx.hub.dir.userOf(jid) : undefined;
  const biz = user ? ctx.hub.profiles.of(user.jid)?.business : undefined;
  if (!user || !biz) return iqResult(iq, [node('business_profile', {})]);
  return iqResult(iq, [node('business_profile', {}, [node('profile', { jid: user.jid }, businessFields(biz))])]);
}

function businessFields(b: NonNullable<ReturnType<Ctx['hub']['profiles']['of']>>['business'] & object): BinaryNode[] {
  const out: BinaryNode[] = [];
  if (b.description !== undefined) out.push(node('description', {}, b.description));
  if (b.address !== undefined) out.push(node('address', {}, b.address));
  if (b.email !== undefined) out.push(node('email', {}, b.email));
  if (b.website !== undefined) out.push(node('website', {}, b.website));
  if (b.category !== undefined) out.push(node('categories', {}, [node('category', { id: '1' }, b.category)]));
  return out;
}

/** The usync `status` answer for `owner` as `asker` sees it. */
export function statusNode(ctx: Ctx, owner: UserRecord | undefined, asker: UserRecord | undefined): BinaryNode {
  if (!owner) return node('status', {});
  if (asker && owner !== asker && privacyHides(ctx.hub, owner, 'status', asker)) return node('status', { code: '401', t: '0' });
  const about = ctx.hub.profiles.of(owner.jid)?.about;
  return about ? node('status', { t: String(about.t) }, about.text) : node('status', {});
}

/** JPEG starts with SOI (FF D8 FF). */
function isJpeg(b: Uint8Array): boolean {
  return b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}
