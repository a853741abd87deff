/** Builds the people side's deps from what the Account has (its deps, connection and messaging). */
import { jidDecode } from '../../protocol/jid/index.js';
import type { AccountIdentity } from '../messaging-deps.js';
import type { Messaging } from '../messaging/index.js';
import type { ConnectionPort } from '../ports.js';
import type { AccountStore } from '../../store/index.js';
import type { AccountEventSink } from '../events.js';
import type { Logger } from 'pino';
import type { PeopleDeps } from './deps.js';

export function peopleDeps(
  deps: { accountId: string; store: AccountStore; events: AccountEventSink; logger: Logger },
  port: ConnectionPort,
  messaging: Messaging,
  me: () => AccountIdentity,
): PeopleDeps {
  const ids = messaging.identities;
  return {
    accountId: deps.accountId,
    port,
    store: deps.store,
    events: deps.events,
    logger: deps.logger,
    now: Date.now,
    me,
    learnLid: (pn, lid) => ids.learn(pn, lid),
    pnOf: (lid) => ids.pnOf(lid),
    lidOf: (pn) => ids.lidOf(pn),
    canonical: (jid) => messaging.canonicalChat(jid),
    isMe: (jid) => messaging.isOwnChat(jid),
    async tcToken(jid) {
      const now = Date.now();
      const lid = jidDecode(jid)?.server === 'lid' ? jid : await ids.lidOf(jid);
      const t = (lid ? await deps.store.tcTokens.getValid(lid, now) : undefined) ?? (await deps.store.tcTokens.getValid(jid, now));
      return t?.token;
    },
  };
}
