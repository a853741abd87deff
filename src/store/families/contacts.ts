/**
 * The people the account knows (`contact/<jid>`): the name saved on the
 * phone (history sync, app state contact actions), the push name they chose
 * (history sync, the `notify` of their messages) and their other identity
 * (LID for a phone number jid). Writes are partial, merged at commit like
 * chats (several writers own different fields).
 */
import { encodeRecord } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { key, prefixOf, prefixRange, tailText } from '../keys.js';
import type { ReadContext, WriteContext } from '../context.js';

export const CONTACTS = 'contact';
const FORMAT = 1;

export interface ContactRecord {
  readonly jid: string;
  readonly lid?: string;
  /** The name saved in the phone's address book. */
  readonly name?: string;
  /** The name the person chose for themselves. */
  readonly pushName?: string;
  readonly username?: string;
}

/** Absent fields stay; `null` clears one. */
export type ContactPatch = { readonly [K in 'lid' | 'name' | 'pushName' | 'username']?: string | null };

const FIELDS = ['lid', 'name', 'pushName', 'username'] as const;

/** Contacts listed at most (the store holds what history and app state bring). */
export const MAX_CONTACT_LIST = 10_000;

function contactKey(ns: Uint8Array, jid: string): Uint8Array {
  return key(ns, CONTACTS, jid);
}

function decodeContact(jid: string, bytes: Uint8Array): ContactRecord {
  const f = Fields.of('contact', bytes, FORMAT);
  const out: { -readonly [K in keyof ContactRecord]: ContactRecord[K] } = { jid };
  for (const k of FIELDS) {
    const v = f.optStr(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export class ContactReader {
  constructor(readonly ctx: ReadContext) {}

  async get(jid: string): Promise<ContactRecord | undefined> {
    const k = contactKey(this.ctx.ns, jid);
    const v = await this.ctx.get(k);
    return v && this.ctx.decodeOrSkip(k, () => decodeContact(jid, v));
  }

  /** Contacts in jid order, at most `limit` (MAX_CONTACT_LIST). */
  async list(limit = MAX_CONTACT_LIST): Promise<ContactRecord[]> {
    const prefix = prefixOf(this.ctx.ns, CONTACTS);
    const out: ContactRecord[] = [];
    const max = Math.max(1, Math.min(MAX_CONTACT_LIST, Math.floor(limit)));
    for await (const [k, v] of this.ctx.scan({ ...prefixRange(prefix), limit: max })) {
      const c = this.ctx.decodeOrSkip(k, () => decodeContact(tailText(k, prefix), v));
      if (c) out.push(c);
    }
    return out;
  }
}

export class ContactWriter {
  constructor(readonly tx: WriteContext) {}

  /** Queues a partial change, merged into the committed record at commit. */
  patch(jid: string, patch: ContactPatch): void {
    this.tx.merge(contactKey(this.tx.ns, jid), (current) => {
      let c: Record<string, string | undefined> = {};
      if (current) {
        try {
          c = { ...decodeContact(jid, current) };
        } catch {
          // A damaged record is replaced by what this patch says.
        }
      }
      for (const k of FIELDS) {
        const v = patch[k];
        if (v === null) delete c[k];
        else if (v !== undefined) c[k] = v;
      }
      return encodeRecord(FORMAT, { lid: c.lid, name: c.name, pushName: c.pushName, username: c.username });
    });
  }
}
