/**
 * What a fresh login does once online: check the server's copy of our key
 * bundle (uploading it again when it is gone or not ours), make sure the
 * server holds enough of our one-time prekeys (upload at first login,
 * replenish below the minimum), tell the server we are active so it pushes
 * what waits for us, mark the session (unified_session), and refresh the A/B
 * props. The digest lists the prekeys the server holds, so when it lists
 * enough the count IQ is not sent: one round trip less at every login, which
 * counts when thousands of accounts log in at a daemon's start. Runs beside
 * the machine, never blocking it. Each step stands alone: one failing is
 * logged and retried at the next login, and the others still run.
 */
import type { Logger } from 'pino';
import type { IqSpec } from '../../protocol/iq/index.js';
import { setPassive } from '../../protocol/iq/passive.js';
import type { AccountStore } from '../../store/index.js';
import { MIN_PREKEY_COUNT } from '../../protocol/iq/prekeys.js';
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
  // What the digest showed the server holds (at least); undefined: ask for the count.
  let held: number | undefined;
  const steps: Array<[string, () => Promise<unknown>]> = [
    [
      'key bundle check',
      async () => {
        const checked = await checkKeyBundle(deps);
        // Just uploaded: the server holds a full batch.
        if (checked.result === 'uploaded') held = Number.POSITIVE_INFINITY;
        else if (checked.serverPreKeys !== undefined && checked.serverPreKeys >= MIN_PREKEY_COUNT) held = checked.serverPreKeys;
      },
    ],
    ['prekey upload', () => replenishPreKeys(deps, held)],
    ['active mode', () => deps.execute(setPassive(false))],
    ['unified session', async () => deps.unifiedSession()],
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
