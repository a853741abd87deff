/**
 * What a fresh login does once online (WhatsApp Web's order, as Baileys and
 * whatsmeow do it): make sure the server holds enough of our one-time
 * prekeys (upload at first login, replenish below the minimum), tell the
 * server we are active so it pushes what waits for us, and read the A/B
 * props once. Runs beside the machine, never blocking it; a failure is
 * logged and retried at the next login.
 */
import type { Logger } from 'pino';
import type { IqSpec } from '../../protocol/iq/index.js';
import { setPassive } from '../../protocol/iq/passive.js';
import { fetchProps } from '../../protocol/iq/props.js';
import type { AccountStore } from '../../store/index.js';
import { replenishPreKeys } from '../prekeys.js';

export interface SessionDeps {
  readonly store: AccountStore;
  readonly logger: Logger;
  readonly execute: <T>(spec: IqSpec<T>) => Promise<T>;
}

export async function runSessionStart(deps: SessionDeps): Promise<void> {
  try {
    await replenishPreKeys(deps);
    await deps.execute(setPassive(false));
    if (deps.store.creds?.lastPropHash === undefined) {
      const props = await deps.execute(fetchProps());
      if (props.hash !== undefined) await deps.store.transaction((tx) => tx.creds.update({ lastPropHash: props.hash }));
    }
  } catch (err) {
    // CLOSED: the link or the store went away under us (reconnect, shutdown); nothing to report.
    if ((err as { code?: string }).code === 'CLOSED') deps.logger.debug({ err }, 'after-login tasks cut short');
    else deps.logger.warn({ err }, 'after-login tasks failed; retried at the next login');
  }
}
