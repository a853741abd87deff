/** Builds the people side's deps from what the Account has (its deps, connection and messaging). */
import { jidDecode } from '../../protocol/jid/index.js';
import type { AccountIdentity } from '../messaging-deps.js';
import type { Messaging } from '../messaging/index.js';
import type { ConnectionPort } from '../ports.js';
import type { AccountStore } from '../../store/index.js';
import type { AccountEventSink } from '../events.js';
import type { Logger } from 'pino';
import type { PeopleDeps } from './deps.js';
import type { MediaFile } from '../../contract/api.js';
import type { AppStateAction } from '../../protocol/appstate/index.js';
import { MediaError } from '../media/errors.js';
import type { LocalFiles } from '../media/local-file.js';
import { MessagingError } from '../messaging/errors.js';

export function peopleDeps(
  deps: { accountId: string; store: AccountStore; events: AccountEventSink; logger: Logger; media: { localFiles?: LocalFiles | undefined } },
  port: ConnectionPort,
  messaging: Messaging,
  me: () => AccountIdentity,
  appState: { apply(action: AppStateAction): Promise<unknown> },
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
    announceName: () => messaging.presence(messaging.available ? 'available' : 'unavailable'),
    applyAppState: async (action) => {
      await appState.apply(action);
    },
    readImage: (source, max) => readBounded(source, max, deps.media.localFiles),
    async tcToken(jid) {
      const now = Date.now();
      const lid = jidDecode(jid)?.server === 'lid' ? jid : await ids.lidOf(jid);
      const t = (lid ? await deps.store.tcTokens.getValid(lid, now) : undefined) ?? (await deps.store.tcTokens.getValid(jid, now));
      return t?.token;
    },
  };
}

/** All of an image's bytes, refused past `max` (read no further than that). */
async function readBounded(source: Uint8Array | { path: string } | MediaFile, max: number, files: LocalFiles | undefined): Promise<Uint8Array> {
  const tooBig = (): MessagingError => new MessagingError('BAD_CONTENT', `an image of at most ${max} bytes`);
  if (source instanceof Uint8Array) {
    if (source.length > max) throw tooBig();
    return source;
  }
  if (!('read' in source)) {
    if (!files) throw new MediaError('PATH_REFUSED', 'this daemon reads no local files', { reason: 'OUTSIDE_ROOTS' });
    const file = await files.open(source.path);
    try {
      return await readBounded(file, max, files);
    } finally {
      await file.close();
    }
  }
  if (source.size > max) throw tooBig();
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of source.read()) {
    n += chunk.length;
    if (n > max) throw tooBig();
    parts.push(chunk);
  }
  return new Uint8Array(Buffer.concat(parts));
}
