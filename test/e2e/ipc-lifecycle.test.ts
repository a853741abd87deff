// Issue 8 Must-show, through the socket only (WadClient and raw frames) on
// the real daemon and the simulator: the whole account lifecycle (QR and
// pairing code), receiving and sending, and account:restart of one account
// while ten others keep sending and receiving with nothing lost or failed.
import type { TypedWadEvent } from '../../src/contract/events.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WadClient, WadClientError } from '../../src/client/index.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { WadEvent } from '../../src/contract/api.js';
import type { SimHandle } from '../../src/sim/index.js';
import { sim as startSim, tempDir } from './support/daemon.js';
import { admin, daemonWithSocket, jidOf, linkOverSocket, until } from '../ipc/e2e-support.js';

let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let client: WadClient;

const P = (i: number): string => `1555001${String(i).padStart(4, '0')}`;
/** The phones of the eleven accounts of the restart test. */
const Q = (i: number): string => `1555002${String(i).padStart(4, '0')}`;
const OTHER = '15550019999';

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-ipc-');
  for (let i = 0; i <= 2; i++) await admin(s, 'POST', '/phones', { phone: P(i), name: `User ${i}` });
  for (let i = 0; i <= 10; i++) await admin(s, 'POST', '/phones', { phone: Q(i), name: `Q ${i}` });
  await admin(s, 'POST', '/phones', { phone: OTHER, name: 'Other' });
  d = await daemonWithSocket(s, dir.path);
  client = await WadClient.connect({ socket: d.socketPath });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

describe('account lifecycle over the socket', () => {
  it('add (QR) → online → status/list → stop → start → restart → logout → remove', async () => {
    const states: string[] = [];
    const stream = client.subscribe({ accounts: ['life'], types: ['connection:update'] });
    void (async () => {
      for await (const ev of stream) states.push(String(ev.data['state']));
    })();
    await stream.synced;
    await linkOverSocket(client, s, 'life', P(0));
    const st = await client.accountStatus('life');
    expect(st).toMatchObject({ id: 'life', state: 'online' });
    expect(st.jid).toMatch(new RegExp(`^${P(0)}:\\d+@s\\.whatsapp\\.net$`));
    expect((await client.listAccounts()).map((a) => a.id)).toContain('life');
    await expect(client.addAccount('life')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });

    await client.stopAccount('life');
    expect((await client.accountStatus('life')).state).toBe('stopped');
    await client.startAccount('life');
    expect(await client.waitForState('life', { timeoutMs: 20_000 })).toBe('online');
    await client.restartAccount('life');
    expect(await client.waitForState('life', { timeoutMs: 20_000 })).toBe('online');
    // The same device came back each time: no new link.
    expect((await client.accountStatus('life')).jid).toBe(st.jid);

    await client.logoutAccount('life');
    expect(await client.waitForState('life', { states: ['loggedOut'], timeoutMs: 20_000 })).toBe('loggedOut');
    const devices = await admin<Array<{ jid: string }>>(s, 'GET', `/phones/${P(0)}/devices`);
    expect(devices.map((x) => x.jid)).not.toContain(st.jid);
    await client.removeAccount('life');
    await expect(client.accountStatus('life')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await stream.close();
    expect(states).toContain('qr');
    expect(states).toContain('online');
    expect(states).toContain('stopped');
    expect(states.at(-1)).toBe('loggedOut');
  });

  it('add with a phone number: the ack carries the pairing code; the phone enters it', async () => {
    const { pairCode } = await client.addAccount('coded', { phone: P(1) });
    expect(pairCode).toMatch(/^[A-Z0-9]{8}$/);
    await admin(s, 'POST', `/phones/${P(1)}/link-code`, { code: pairCode });
    expect(await client.waitForState('coded', { timeoutMs: 20_000 })).toBe('online');
  });

  it('unknown accounts and bad requests get contract errors', async () => {
    await expect(client.restartAccount('nobody')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(client.sendText('nobody', P(2), 'x')).rejects.toBeInstanceOf(WadClientError);
    await expect(client.request('message:send', { type: 'text' } as never, { account: 'coded', chat: P(2) })).rejects.toMatchObject({ code: 'MISSING_FIELD' });
  });
});

describe('messages over the socket', () => {
  it('a message from a phone arrives as message:new on a durable subscription', async () => {
    const stream = client.subscribe({ name: 'inbox', accounts: ['coded'], types: ['message:new'] });
    await stream.synced;
    const { id } = await admin<{ id: string }>(s, 'POST', `/phones/${OTHER}/messages`, { to: jidOf(P(1)), text: 'hello coded' });
    const it = stream[Symbol.asyncIterator]();
    const ev = (await it.next()).value as TypedWadEvent;
    expect(ev).toMatchObject({ account: 'coded', type: 'message:new', data: { id, type: 'text', content: 'hello coded', fromMe: false } });
    expect(ev.seq).toBeGreaterThan(0);
    await stream.close();
  });

  it('message:send answers with the id once the server acked; the phone decrypts it', async () => {
    const id = await client.sendText('coded', OTHER, 'hello phone');
    const got = await until('at the phone', async () => (await admin<Array<{ id: string; text: string }>>(s, 'GET', `/phones/${OTHER}/messages`)).find((m) => m.id === id));
    expect(got.text).toBe('hello phone');
  });
});

describe('account:restart while ten others keep going', () => {
  it('restarts one account; the ten others lose nothing and fail nothing', async () => {
    const ids = Array.from({ length: 11 }, (_, i) => `a${i}`);
    for (let i = 0; i < 11; i++) await linkOverSocket(client, s, ids[i]!, Q(i));
    const got = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
    const stream = client.subscribe({ name: 'restart-watch', accounts: ids, types: ['message:new'] });
    void (async () => {
      for await (const ev of stream) got.get(ev.account)!.add(String(ev.data['id']));
    })();
    await stream.synced;
    const updates: TypedWadEvent[] = [];
    const watch = client.subscribe({ accounts: ids, types: ['connection:update'] });
    void (async () => {
      for await (const ev of watch) updates.push(ev);
    })();
    await watch.synced;

    const expected = new Map<string, string[]>(ids.map((id) => [id, []]));
    const failures: string[] = [];
    const ROUNDS = 10;
    const traffic = (async () => {
      for (let r = 0; r < ROUNDS; r++) {
        // The restarting account is written to as well: it must get these after it is back.
        const { id: toA0 } = await admin<{ id: string }>(s, 'POST', `/phones/${OTHER}/messages`, { to: jidOf(Q(0)), text: `r${r} to a0` });
        expected.get('a0')!.push(toA0);
        await Promise.all(
          ids.slice(1).map(async (id, k) => {
            const phone = Q(k + 1);
            // A phone writes to this account...
            const { id: mid } = await admin<{ id: string }>(s, 'POST', `/phones/${OTHER}/messages`, { to: jidOf(phone), text: `r${r} to ${id}` });
            expected.get(id)!.push(mid);
            // ...and the account writes to the next one.
            const to = ids[1 + ((k + 1) % 10)]!;
            const toPhone = Q(1 + ((k + 1) % 10));
            try {
              const sent = await client.sendText(id, toPhone, `r${r} from ${id}`);
              expected.get(to)!.push(sent);
            } catch (err) {
              failures.push(`${id}: ${(err as Error).message}`);
            }
          }),
        );
      }
    })();
    await client.restartAccount('a0');
    await traffic;
    expect(failures).toEqual([]);
    expect(await client.waitForState('a0', { timeoutMs: 20_000 })).toBe('online');
    for (const id of ids) {
      await until(`all messages at ${id}`, () => expected.get(id)!.every((m) => got.get(id)!.has(m)), 20_000);
    }
    // The restart touched a0 alone: it went through other states, no other account changed state.
    expect(updates.filter((e) => e.account === 'a0').map((e) => e.data['state'])).toContain('connecting');
    expect(updates.filter((e) => e.account !== 'a0')).toEqual([]);
    const others = (await client.listAccounts()).filter((a) => a.id.startsWith('a') && a.id !== 'a0');
    expect(others.every((a) => a.state === 'online')).toBe(true);
    await stream.close();
    await watch.close();
  }, 120_000);
});
