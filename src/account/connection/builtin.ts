/**
 * What the connection does itself with a few stanzas, besides routing them:
 * the notifications of pairing by code and of prekeys running low, and the
 * small creds updates the server asks for (our LID in `<success>`, edge
 * routing info). Each write is one transaction; failures are logged, never
 * thrown into the socket's callbacks.
 */
import type { Logger } from 'pino';
import type { BinaryNode } from '../../protocol/binary/index.js';
import type { IqSpec } from '../../protocol/iq/index.js';
import { lowPreKeyCount } from '../../protocol/iq/prekeys.js';
import type { AccountStore } from '../../store/index.js';
import type { Pairing } from '../pairing.js';
import type { StanzaHandler } from '../ports.js';
import { replenishPreKeys } from '../prekeys.js';

export interface BuiltinDeps {
  readonly store: AccountStore;
  readonly logger: Logger;
  readonly pairing: Pairing;
  readonly execute: <T>(spec: IqSpec<T>) => Promise<T>;
}

/** Notifications handled before messaging sees them: the pairing code's, and "prekeys are running low". */
export function builtinNotifications(deps: BuiltinDeps): StanzaHandler {
  return {
    tags: ['notification'],
    handle: async (n) => {
      if (n.attrs.type === 'link_code_companion_reg') return deps.pairing.onNotification(n);
      const low = lowPreKeyCount(n);
      // Acked at once; the upload runs beside (a failure is retried at the next login or notification).
      if (low !== undefined) replenishPreKeys(deps, low).catch((err: unknown) => deps.logger.warn({ err }, 'prekey replenish failed'));
    },
  };
}

/** `<success lid="…">`: stores our LID when the server gives a new one. */
export function rememberLid(deps: Pick<BuiltinDeps, 'store' | 'logger'>, success: BinaryNode): void {
  const lid = success.attrs.lid;
  const me = deps.store.creds?.me;
  if (!me || !lid || me.lid === lid) return;
  deps.store.transaction((tx) => tx.creds.update({ me: { ...me, lid } })).catch((err: unknown) => deps.logger.warn({ err }, 'our LID not stored'));
}

/** `<ib><edge_routing><routing_info>`: sent back in the next connection's intro. */
export function rememberRoutingInfo(deps: Pick<BuiltinDeps, 'store' | 'logger'>, info: Uint8Array): void {
  deps.store.transaction((tx) => tx.creds.update({ routingInfo: info })).catch((err: unknown) => deps.logger.warn({ err }, 'routing info not stored'));
}
