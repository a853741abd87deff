/**
 * What a fresh login does once online (WhatsApp Web's order, as Baileys and
 * whatsmeow do it): make sure the server holds enough of our one-time
 * prekeys (upload at first login, replenish below the minimum), tell the
 * server we are active so it pushes what waits for us, mark the session
 * (unified_session), check the server's copy of our key bundle, and refresh
 * the A/B props. Runs beside the machine, never blocking it. Each step
 * stands alone: one failing is logged and retried at the next login, and
 * the others still run.
 */
import type { Logger } from 'pino';
import type { IqSpec } from '../../protocol/iq/index.js';
import { setPassive } from '../../protocol/iq/passive.js';
import type { AccountStore } from '../../store/index.js';
import { checkKeyBundle } from '../key-digest.js';
import { replenishPreKeys } from '../prekeys.js';
import { refreshProps } from './props-refresh.js';

export interface SessionDeps {
  readonly store: AccountStore;
  readonly logger: Logger;
  readonly execute: <T>(spec: IqSpec<T>) => Promise<T>;
  /** Writes `<ib><unified_session/></ib>` (best effort: dropped without a link). */
  readonly unifiedSession: () => void;
}

export async function runSessionStart(deps: SessionDeps): Promise<void> {
  const steps: Array<[string, () => Promise<unknown>]> = [
    ['prekey upload', () => replenishPreKeys(deps)],
    ['active mode', () => deps.execute(setPassive(false))],
    ['unified session', async () => deps.unifiedSession()],
    ['key bundle check', () => checkKeyBundle(deps)],
    ['props refresh', () => refreshProps(deps)],
  ];
  for (const [step, run] of steps) {
    try {
      await run();
    } catch (err) {
      // CLOSED: the link or the store went away under us (reconnect, shutdown); the rest cannot run either.
      if ((err as { code?: string }).code === 'CLOSED') {
        deps.logger.debug({ err, step }, 'after-login tasks cut short');
        return;
      }
      deps.logger.warn({ err, step }, 'after-login step failed; retried at the next login');
    }
  }
}
