/**
 * Our one-time prekeys on the server: uploaded at first login, and again
 * whenever the server holds fewer than MIN_PREKEY_COUNT (at each login, or
 * when it tells us with `<notification type="encrypt"><count/>`).
 *
 * Persist before upload: new keys and the advanced `nextPreKeyId` are
 * committed in one transaction before the IQ leaves; only after the server
 * accepted them does `firstUnuploadedPreKeyId` move. A crash in between
 * uploads the same stored keys next time; nothing is generated twice with
 * the same id and no key the server hands out is missing locally.
 */
import type { Logger } from 'pino';
import { MIN_PREKEY_COUNT, preKeyCount, UPLOAD_PREKEY_COUNT, uploadPreKeys } from '../protocol/iq/prekeys.js';
import type { IqSpec } from '../protocol/iq/index.js';
import { generatePreKeys, MAX_PREKEY_ID } from '../protocol/signal/index.js';
import type { AccountStore, StoredPreKey } from '../store/index.js';

export interface PreKeyDeps {
  readonly store: AccountStore;
  readonly execute: <T>(spec: IqSpec<T>) => Promise<T>;
  readonly logger: Logger;
}

/** Ids from `first` up to (not including) `next`, wrapping like generatePreKeys. */
function idRange(first: number, next: number): number[] {
  const ids: number[] = [];
  for (let id = first; id !== next && ids.length < 10 * UPLOAD_PREKEY_COUNT; id = id >= MAX_PREKEY_ID - 1 ? 1 : id + 1) ids.push(id);
  return ids;
}

function advance(id: number, by: number): number {
  return ((id - 1 + by) % (MAX_PREKEY_ID - 1)) + 1;
}

/**
 * Uploads prekeys when the server holds fewer than the minimum. `serverCount`
 * skips the count IQ when the server just told us. Returns how many were uploaded.
 * @throws ConnectionError, IqServerError, StoreError (nothing is lost: the next call resumes)
 */
export async function replenishPreKeys(deps: PreKeyDeps, serverCount?: number): Promise<number> {
  const count = serverCount ?? (await deps.execute(preKeyCount));
  if (count >= MIN_PREKEY_COUNT) return 0;
  const before = deps.store.creds;
  if (!before) return 0;
  const pending = idRange(before.firstUnuploadedPreKeyId, before.nextPreKeyId);
  const fresh = generatePreKeys(before.nextPreKeyId, Math.max(0, UPLOAD_PREKEY_COUNT - pending.length));
  if (fresh.length > 0) {
    await deps.store.transaction((tx) => {
      tx.preKeys.put(fresh);
      tx.creds.update({ nextPreKeyId: advance(before.nextPreKeyId, fresh.length) });
    });
  }
  const creds = deps.store.creds!;
  const ids = idRange(creds.firstUnuploadedPreKeyId, creds.nextPreKeyId);
  const keys = (await deps.store.preKeys.getMany(ids)).filter((k): k is StoredPreKey => k !== undefined);
  await deps.execute(
    uploadPreKeys({
      registrationId: creds.registrationId,
      identityKey: creds.identityKey.public,
      preKeys: keys,
      signedPreKey: creds.signedPreKey,
    }),
  );
  await deps.store.transaction((tx) => tx.creds.update({ firstUnuploadedPreKeyId: creds.nextPreKeyId }));
  deps.logger.info({ uploaded: keys.length, serverHad: count }, 'prekeys uploaded');
  return keys.length;
}
