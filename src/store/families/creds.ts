/**
 * Writes of the credentials record (`creds`). The current record lives in
 * memory (AccountStore.creds) and is replaced only when the batch that wrote
 * it commits; updates merge into the transaction's view of it, so two
 * updates in one transaction compose.
 */
import { StoreError } from '../errors.js';
import { key } from '../keys.js';
import type { WriteContext } from '../context.js';
import { deepFreeze, encodeCreds, type Creds } from '../records/creds.js';

export const CREDS = 'creds';

export function credsKey(ns: Uint8Array): Uint8Array {
  return key(ns, CREDS);
}

export class CredsWriter {
  constructor(readonly tx: WriteContext) {}

  /** The credentials as this transaction sees them. */
  get current(): Creds | undefined {
    return this.tx.state.creds;
  }

  set(creds: Creds): void {
    const bytes = encodeCreds(creds);
    this.tx.put(credsKey(this.tx.ns), bytes);
    this.tx.stage({ creds: deepFreeze(structuredClone(creds)) });
  }

  /** @throws StoreError NO_CREDS when the account has none yet */
  update(patch: Partial<Creds>): Creds {
    const current = this.tx.state.creds;
    if (!current) throw new StoreError('NO_CREDS', 'no credentials to update');
    const next = { ...current, ...patch };
    this.set(next);
    return this.tx.state.creds!;
  }
}
