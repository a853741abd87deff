/**
 * xmlns="privacy": `<privacy/>` reads the user's settings (privacy-book.ts;
 * all "all" until changed, so read receipts are of type "read"); a set of
 * `<privacy><category name value/></privacy>` changes one (400 for an
 * unknown name or value) and tells the user's other companions in
 * `<notification type="account_sync"><privacy><category name value/></privacy>`;
 * a set with `<tokens>` issues the sender's trusted-contact tokens.
 *
 * Issuing, as WhatsApp answers it: for each `<token jid t type="trusted_contact"/>`
 * naming a known user, the contact is sent the issuer's token in a
 * `<notification type="privacy_token" from=issuer sender_lid>` (it attaches it
 * when it messages the issuer), and the answer carries the contact's token
 * for the issuer (what a client attaches when it messages that contact; a
 * client that got 463 issues to obtain it).
 *
 *   <iq type="set" xmlns="privacy"><tokens><token jid t type="trusted_contact"/>…</tokens></iq>
 *   → <iq type="result"><tokens><token jid t type="trusted_contact">bytes</token>…</tokens></iq>
 */
import { randomBytes } from 'node:crypto';
import { child, childrenByTag, iqError, iqResult, node, type BinaryNode } from '../nodes.js';
import { notifyAccountSync } from '../privacy-book.js';
import type { IqContext } from './index.js';


/** Contacts one issuing IQ may name (WhatsApp Web issues to one contact at a time). */
const MAX_TOKENS_PER_IQ = 500;

export function handlePrivacy(ctx: IqContext & { deviceJid: string }, iq: BinaryNode): BinaryNode {
  const user = ctx.hub.dir.userOf(ctx.deviceJid);
  if (!user) return iqError(iq, 401, 'not-authorized');
  if (iq.attrs.type === 'get' && child(iq, 'privacy')) {
    return iqResult(iq, [node('privacy', {}, Object.entries(ctx.hub.privacy.get(user.jid)).map(([name, value]) => node('category', { name, value })))]);
  }
  const tokens = child(iq, 'tokens');
  if (iq.attrs.type === 'set' && tokens) return issueTokens(ctx, iq, childrenByTag(tokens, 'token'));
  const settings = child(iq, 'privacy');
  if (iq.attrs.type === 'set' && settings) {
    const changed = childrenByTag(settings, 'category');
    for (const c of changed) if (!ctx.hub.privacy.set(user.jid, c.attrs.name ?? '', c.attrs.value ?? '')) return iqError(iq, 400, 'bad-request');
    notifyAccountSync(ctx.hub, user, node('privacy', {}, changed.map((c) => node('category', { name: c.attrs.name!, value: c.attrs.value! }))), ctx.deviceJid);
    ctx.hub.onChange();
    return iqResult(iq);
  }
  return iqResult(iq);
}

function issueTokens(ctx: IqContext & { deviceJid: string }, iq: BinaryNode, requested: BinaryNode[]): BinaryNode {
  const { hub } = ctx;
  const issuer = hub.dir.userOf(ctx.deviceJid);
  if (!issuer) return iqError(iq, 401, 'not-authorized');
  if (requested.length > MAX_TOKENS_PER_IQ) return iqError(iq, 400, 'bad-request');
  const t = Number(hub.nowSeconds());
  const answered: BinaryNode[] = [];
  for (const req of requested) {
    const jid = req.attrs.jid ?? '';
    const contact = hub.dir.userOf(jid);
    if (req.attrs.type !== 'trusted_contact' || !contact || contact === issuer) continue;
    const attrs = { jid, t: String(t), type: 'trusted_contact' };
    answered.push(node('token', attrs, hub.tcTokens.mint(contact, issuer, t)));
    const notification = node('notification', { from: issuer.jid, type: 'privacy_token', id: randomBytes(8).toString('hex'), t: String(t), sender_lid: issuer.lid }, [
      node('tokens', {}, [node('token', { jid: contact.jid, t: String(t), type: 'trusted_contact' }, hub.tcTokens.mint(issuer, contact, t))]),
    ]);
    for (const dev of hub.dir.deviceJids(contact)) hub.deliver(dev, notification);
    hub.stats.tcTokensIssued++;
  }
  return iqResult(iq, [node('tokens', {}, answered)]);
}
