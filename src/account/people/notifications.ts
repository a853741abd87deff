/**
 * What WhatsApp tells us about people, as events: a contact's picture or
 * about changed (`contact:updated`), a group's picture changed
 * (`group:update` with action `picture`), and our own privacy settings or
 * blocklist changed on another of our devices (`privacy:updated`,
 * `block:updated`). Notifications of other kinds are messaging's; this
 * handler lets them pass.
 */
import type { BinaryNode } from '../../protocol/binary/index.js';
import { isLid, isPn } from '../../protocol/jid/index.js';
import { parsePeopleNotification } from '../../protocol/stanza/index.js';
import type { AccountEvent } from '../events.js';
import type { StanzaHandler } from '../ports.js';
import type { PeopleDeps } from './deps.js';
import { privacyFromWire } from './privacy.js';

export class PeopleNotifications implements StanzaHandler {
  readonly tags = ['notification'] as const;
  readonly #deps: PeopleDeps;

  constructor(deps: PeopleDeps) {
    this.#deps = deps;
  }

  async handle(stanza: BinaryNode): Promise<void> {
    const n = parsePeopleNotification(stanza);
    if (!n) return;
    const deps = this.#deps;
    const events: AccountEvent[] = [];
    switch (n.kind) {
      case 'picture': {
        const change = n.removed ? { removed: true } : { pictureId: n.pictureId ?? null };
        if (n.jid.endsWith('@g.us')) {
          const actor = n.author ? await deps.canonical(n.author) : null;
          events.push({ type: 'group:update', conversationId: n.jid, data: { group: n.jid, actor, t: n.t ?? null, changes: [{ action: 'picture', participants: [], ...change }] } });
        } else {
          const jid = await deps.canonical(n.jid);
          events.push({ type: 'contact:updated', conversationId: jid, data: { jid, picture: change } });
        }
        break;
      }
      case 'about': {
        const jid = await deps.canonical(n.jid);
        events.push({ type: 'contact:updated', conversationId: jid, data: { jid, about: n.about, ...(n.t !== undefined ? { aboutSetAt: n.t } : {}) } });
        break;
      }
      case 'privacy':
        events.push({ type: 'privacy:updated', data: { settings: { ...privacyFromWire(n.settings) } } });
        break;
      case 'blocklist':
        for (const c of n.changes) {
          // WhatsApp names the user by LID with the number beside it: worth remembering.
          if (c.pn && isPn(c.pn) && isLid(c.jid)) await deps.learnLid(c.pn, c.jid);
          const jid = await deps.canonical(c.pn ?? c.jid);
          events.push({ type: 'block:updated', conversationId: jid, data: { jid, action: c.action } });
        }
        break;
    }
    for (const e of events) await deps.events.emit(e);
  }
}
