/**
 * Where a subscription starts (`from: 'now' | 'start' | seq`) through
 * WadClient and the control socket, against a fake daemon whose log already
 * holds a backlog; and the typed events WadClient hands out (the type of an
 * event narrows its data, checked by the compiler through expectTypeOf).
 */
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { rmSync } from 'node:fs';
import { WadClient, WadClientError } from '../../src/client/index.js';
import type { EventDataBase, MessageNewData, MessageReceiptData, TypedWadEvent, UnknownEventType, WadEventOf } from '../../src/client/index.js';
import type { ConnectionState } from '../../src/contract/api.js';
import type { IpcServer } from '../../src/ipc/index.js';
import type { FakeDaemon } from '../ipc/fake-daemon.js';
import { fakeWorld, take } from '../ipc/fake-world.js';

let fake: FakeDaemon;
let server: IpcServer;
let dir: string;
let socket: string;
const clients: WadClient[] = [];

async function client(): Promise<WadClient> {
  const c = await WadClient.connect({ socket, reconnect: false });
  clients.push(c);
  return c;
}

function backlog(account: string, n: number, from = 1): void {
  for (let i = from; i < from + n; i++) fake.emit(account, 'message:new', { id: `M${i}`, chat: 'x@s.whatsapp.net', sender: 'x@s.whatsapp.net', fromMe: false, t: i, type: 'text', content: `n${i}` }, 'x@s.whatsapp.net');
}

beforeEach(async () => {
  ({ fake, server, dir, socket } = await fakeWorld());
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('subscribe from', () => {
  it("'now' skips the backlog; 'start' is the oldest retained event (no gap report); a number is that seq", async () => {
    backlog('alice', 5);
    fake.trim('alice', 3);
    const c = await client();
    const now = c.subscribe({ accounts: ['alice'], from: 'now' });
    const start = c.subscribe({ accounts: ['alice'], from: 'start' });
    const four = c.subscribe({ accounts: ['alice'], from: 4 });
    await Promise.all([now.synced, start.synced, four.synced]);
    backlog('alice', 1, 6);
    expect((await take(now, 1)).map((e) => e.seq)).toEqual([6]);
    expect((await take(start, 4)).map((e) => e.seq)).toEqual([3, 4, 5, 6]);
    expect((await take(four, 3)).map((e) => e.seq)).toEqual([4, 5, 6]);
  });

  it('a named subscriber: a new name gets every retained event by default; from now skips them, and its next subscribe without from resumes there', async () => {
    backlog('alice', 3);
    const c = await client();
    const fresh = c.subscribe({ name: 'dump', accounts: ['alice'], untilSynced: true });
    const all: number[] = [];
    for await (const ev of fresh) all.push(ev.seq);
    expect(all).toEqual([1, 2, 3]);

    const bot = c.subscribe({ name: 'bot', accounts: ['alice'], from: 'now' });
    await bot.synced;
    await bot.close();
    // While the bot is away: two events. Its cursor stood at now, so these and only these come next.
    backlog('alice', 2, 4);
    const back = c.subscribe({ name: 'bot', accounts: ['alice'] });
    expect((await take(back, 2)).map((e) => e.seq)).toEqual([4, 5]);
    await back.close();
  });

  it("an account that joins after a 'now' subscription starts with its first event", async () => {
    const c = await client();
    const now = c.subscribe({ from: 'now' });
    await now.synced;
    fake.seed('carol', '15550003333:2@s.whatsapp.net');
    backlog('carol', 2);
    expect((await take(now, 2)).map((e) => [e.account, e.seq])).toEqual([
      ['carol', 1],
      ['carol', 2],
    ]);
  });

  it('from together with a single-number since is refused, naming the field; a bad from too', async () => {
    const c = await client();
    const both = await c.request('events:subscribe', { from: 'now', since: 3 }).catch((e: unknown) => e);
    expect(both).toBeInstanceOf(WadClientError);
    expect(both).toMatchObject({ code: 'INVALID_PAYLOAD', details: { field: 'data.from' } });
    const bad = await c.request('events:subscribe', { from: 'later' as never }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'INVALID_PAYLOAD' });
    // A per-account since refines from: bob from seq 2, alice from now.
    backlog('alice', 2);
    backlog('bob', 3);
    const s = c.subscribe({ accounts: ['alice', 'bob'], from: 'now', since: { bob: 2 } });
    expect((await take(s, 2)).map((e) => [e.account, e.seq])).toEqual([
      ['bob', 2],
      ['bob', 3],
    ]);
  });
});

describe('typed events', () => {
  it('ev.type narrows ev.data, at compile time and on the events a consumer receives', async () => {
    // Compile-time: comparing type gives that type's data; an unknown type has only the base.
    expectTypeOf<Extract<TypedWadEvent, { type: 'message:new' }>>().toEqualTypeOf<WadEventOf<'message:new'>>();
    expectTypeOf<WadEventOf<'message:new'>['data']>().toEqualTypeOf<MessageNewData>();
    expectTypeOf<MessageNewData['fromMe']>().toEqualTypeOf<boolean>();
    expectTypeOf<WadEventOf<'message:receipt'>['data']>().toEqualTypeOf<MessageReceiptData>();
    expectTypeOf<WadEventOf<'connection:update'>['data']['state']>().toEqualTypeOf<ConnectionState>();
    const narrow = (ev: TypedWadEvent): string => {
      if (ev.type === 'message:new') {
        expectTypeOf(ev.data).toEqualTypeOf<MessageNewData>();
        return ev.data.content ?? ev.data.type;
      }
      switch (ev.type) {
        case 'message:receipt':
          expectTypeOf(ev.data.messageIds).toEqualTypeOf<string[]>();
          return `${ev.data.status} ${ev.data.messageIds.join(',')}`;
        case 'connection:update':
          return ev.data.state;
        default:
          return String(ev.type);
      }
    };
    expectTypeOf<Extract<TypedWadEvent, { type: UnknownEventType }>['data']>().toEqualTypeOf<EventDataBase>();

    const c = await client();
    const s = c.subscribe({ accounts: ['alice'], from: 'now' });
    await s.synced;
    backlog('alice', 1);
    fake.emit('alice', 'message:receipt', { chat: 'x@s.whatsapp.net', messageIds: ['M9', 'M10'], status: 'read', type: 'read', by: 'x@s.whatsapp.net', fromMe: true, t: 1 }, 'x@s.whatsapp.net');
    // A type from a newer daemon: still handed out, its type the string it was.
    fake.emit('alice', 'future:thing' as never, { x: 1 });
    const got = await take(s, 3);
    expect(got.map(narrow)).toEqual(['n1', 'read M9,M10', 'future:thing']);
    expect(got[0]!.data.seq).toBe(1);
  });
});
