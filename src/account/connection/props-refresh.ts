/**
 * The A/B props at every login, naming the hash of the last answer (as
 * WhatsApp Web, Baileys and whatsmeow ask): the server answers "unchanged"
 * with no props when we are current, and the new props with a new hash when
 * they moved. The hash is kept with the credentials; what changed is logged.
 */
import type { Logger } from 'pino';
import type { IqSpec } from '../../protocol/iq/index.js';
import { fetchProps } from '../../protocol/iq/props.js';
import type { AccountStore } from '../../store/index.js';

export interface PropsRefreshDeps {
  readonly store: AccountStore;
  readonly logger: Logger;
  readonly execute: <T>(spec: IqSpec<T>) => Promise<T>;
}

/** Returns whether the props changed since the hash we held. @throws connection and store errors */
export async function refreshProps(deps: PropsRefreshDeps): Promise<boolean> {
  const held = deps.store.creds?.lastPropHash;
  const props = await deps.execute(fetchProps(held));
  if (props.hash === undefined || props.hash === held) return false;
  await deps.store.transaction((tx) => tx.creds.update({ lastPropHash: props.hash }));
  deps.logger.info({ props: props.props.size }, 'A/B props changed');
  return true;
}
