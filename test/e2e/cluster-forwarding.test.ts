// Three daemons on one PostgreSQL, each running one account; a client of any
// one of them works with every account: requests of accounts another daemon
// runs are forwarded to it (cluster.listen, cluster.secret) and its answers
// come back unchanged, over the control socket and the HTTP API alike: a
// file named by path is read where the client is and sent as an upload, a
// download streams from the owner, account:list shows where each account
// runs. An owner that cannot be reached, never answers, or breaks off a
// download is UNAVAILABLE naming it, never a short file.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WadClient, WadClientError } from '../../src/client/index.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { liveLeaseOwners, startPostgres, type TestPostgres } from '../support/postgres.js';
import { admin, daemonFor, linkByQr, sim as startSim, tempDir, until } from './support/daemon.js';

const PEER = '15550024900';
const PEER_JID = `${PEER}@s.whatsapp.net`;
const ACCOUNTS = ['fa', 'fb', 'fc'];
const phoneOf = (id: string) => `1555002491${ACCOUNTS.indexOf(id)}`;
const NAMES = ['d1', 'd2', 'd3'];
const SECRET = 'a-cluster-secret-of-at-least-32-characters';
const TOKEN = 'forwarding-test-token';

let s: SimHandle;
let postgres: TestPostgres;
const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = [];
const daemons = new Map<string, Daemon>();
/** Each account's owner once the three settled. */
let owner: Map<string, string>;
const clients: WadClient[] = [];
const servers: Server[] = [];

function clusterKeys(name: string): Array<[string, unknown]> {
  return [
    ['store.backend', 'postgres'],
    ['store.url', postgres.url],
    ['cluster.enabled', true],
    ['cluster.daemonId', name],
    // In-process daemons with inline crypto share one event loop: a lease outlasts its longest stall.
    ['cluster.leaseMs', 6000],
    ['cluster.renewMs', 1000],
    ['cluster.listen', '127.0.0.1:0'],
    ['cluster.secret', SECRET],
    ['cluster.forwardTimeoutMs', 3000],
  ];
}

const owners = () => liveLeaseOwners(postgres);

/** One account per daemon, each online where its lease is. */
async function settled(): Promise<Map<string, string> | false> {
  const held = await owners();
  if (ACCOUNTS.some((a) => !held.has(a)) || new Set(held.values()).size !== NAMES.length) return false;
  for (const [account, name] of held) if (daemons.get(name)?.accountStatus(account).state !== 'online') return false;
  return held;
}

beforeAll(async () => {
  [s, postgres] = await Promise.all([startSim(), startPostgres()]);
  for (let i = 0; i < 5; i++) dirs.push(await tempDir('wad-e2e-fwd-'));
  await admin(s, 'POST', '/phones', { phone: PEER, name: 'Peer' });
  // Linked by one daemon alone; it leaves, handing every lease back.
  const linker = await daemonFor(s, dirs[3]!.path, clusterKeys('linker').filter(([k]) => k !== 'cluster.listen' && k !== 'cluster.secret'));
  for (const id of ACCOUNTS) {
    await admin(s, 'POST', '/phones', { phone: phoneOf(id), name: id });
    await linkByQr(s, linker, id, phoneOf(id));
  }
  await linker.stop();
  for (const [i, name] of NAMES.entries()) {
    daemons.set(name, await daemonFor(s, dirs[i]!.path, [...clusterKeys(name), ['http.listen', '127.0.0.1:0'], ['tokens', [TOKEN]]], { ipc: true }));
  }
  owner = await until('one account online at each daemon', settled, 60_000);
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const srv of servers) srv.close();
  for (const d of daemons.values()) await d.stop();
  await s?.close();
  await postgres?.stop();
  await Promise.all(dirs.map((d) => d.remove()));
});

/** The daemon that runs `account`, and one that does not. */
function roles(account: string): { ownerName: string; other: string } {
  const ownerName = owner.get(account)!;
  return { ownerName, other: NAMES.find((n) => n !== ownerName)! };
}

async function clientOf(name: string): Promise<WadClient> {
  const c = await WadClient.connect({ socket: daemons.get(name)!.socketPath, reconnect: false });
  clients.push(c);
  return c;
}

async function peerReceived(id: string): Promise<number> {
  return (await admin<Array<{ id: string }>>(s, 'GET', `/phones/${PEER}/messages`)).filter((m) => m.id === id).length;
}

describe('requests forwarded to the daemon that runs the account', () => {
  it('over the socket: a send from another daemon\'s account arrives once; status and messages of a third daemon\'s account are that daemon\'s', async () => {
    const [b, c] = [ACCOUNTS[1]!, ACCOUNTS[2]!];
    const a = NAMES.find((n) => n !== owner.get(b) && n !== owner.get(c))!;
    const client = await clientOf(a);
    expect(daemons.get(a)!.cluster!.held(b)).toBe(false);

    const sent = await client.sendText(b, PEER_JID, 'forwarded hello');
    await until('the peer received the forwarded send', async () => (await peerReceived(sent)) > 0);
    expect(await peerReceived(sent)).toBe(1);
    // The owner sent it: its own log has it as ours.
    const atOwner = await daemons.get(owner.get(b)!)!.listMessages(b, PEER_JID, { limit: 10 });
    expect(atOwner.map((m) => m.id)).toContain(sent);

    const status = await client.accountStatus(c);
    const direct = daemons.get(owner.get(c)!)!.accountStatus(c);
    expect(status.state).toBe('online');
    expect(status.jid).toBe(direct.jid);
    // Here the account is only tracked; the forwarded answer is the owner's, not this daemon's.
    expect(daemons.get(a)!.accountStatus(c).state).toBe('stopped');

    const { id: incoming } = await admin<{ id: string }>(s, 'POST', `/phones/${PEER}/messages`, { to: `${phoneOf(c)}@s.whatsapp.net`, text: 'to the third daemon' });
    const listed = await until('the message in the account\'s chat, read through another daemon', async () => {
      const msgs = await client.listMessages(c, PEER_JID, { limit: 20 });
      return msgs.some((m) => m.id === incoming) && msgs;
    });
    expect(listed.filter((m) => m.id === incoming)).toHaveLength(1);
  }, 60_000);

  it('an upload in binary frames travels with the forwarded send', async () => {
    const account = ACCOUNTS[0]!;
    const { other } = roles(account);
    const client = await clientOf(other);
    const bytes = new Uint8Array(200_000).map((_, i) => (i * 31) & 0xff);
    const id = await client.sendFile(account, PEER_JID, { bytes, fileName: 'forwarded.bin' }, { type: 'document', mimeType: 'application/octet-stream' });
    await until('the peer received the forwarded document', async () => (await peerReceived(id)) > 0);
    const got = (await admin<Array<{ id: string; type: string }>>(s, 'GET', `/phones/${PEER}/messages`)).filter((m) => m.id === id);
    expect(got).toHaveLength(1);
    expect(got[0]!.type).toBe('document');
  }, 60_000);

  it("an owner's error comes back as the owner gave it", async () => {
    const account = ACCOUNTS[1]!;
    const { ownerName, other } = roles(account);
    const group = '120363000000000099@g.us';
    const errorAt = async (name: string) => {
      const err = await (await clientOf(name)).groupMetadata(account, group).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WadClientError);
      const e = err as WadClientError;
      return { code: e.code, message: e.message, details: e.details };
    };
    const direct = await errorAt(ownerName);
    expect(await errorAt(other)).toEqual(direct);
  }, 30_000);

  it('over HTTP: one daemon answers status and sends for accounts the others run', async () => {
    const [a, b, c] = ACCOUNTS as [string, string, string];
    const via = NAMES.find((n) => n !== owner.get(b))!;
    const http = daemons.get(via)!.http!;
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${http.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    for (const account of [a, b, c]) {
      const r = await post('/v1/account/status', { account });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ success: true, id: account, state: 'online' });
    }
    const sent = await post('/v1/message/send', { account: b, chat: PEER_JID, type: 'text', content: 'over http, forwarded' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const id = sent.body['messageId'] as string;
    await until('the peer received the HTTP send', async () => (await peerReceived(id)) > 0);
    expect(await peerReceived(id)).toBe(1);
    // A multipart file travels with the forwarded send.
    const form = new FormData();
    form.set('account', b);
    form.set('chat', PEER_JID);
    form.set('caption', 'multipart, forwarded');
    form.set('file', new Blob([new Uint8Array(50_000).fill(3)], { type: 'application/pdf' }), 'forwarded.pdf');
    const multipart = await fetch(`${http.url}/v1/message/send`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: form });
    const mp = (await multipart.json()) as Record<string, unknown>;
    expect(multipart.status, JSON.stringify(mp)).toBe(200);
    await until('the peer received the multipart send', async () => (await peerReceived(mp['messageId'] as string)) > 0);
    const doc = (await admin<Array<{ id: string; type: string; text: string }>>(s, 'GET', `/phones/${PEER}/messages`)).filter((m) => m.id === mp['messageId']);
    expect(doc.map((m) => [m.type, m.text])).toEqual([['document', 'multipart, forwarded']]);
    // A download of a message the owner does not have: the owner's refusal, as its own HTTP API gives it.
    const missing = async (name: string) => {
      const res = await fetch(`${daemons.get(name)!.http!.url}/v1/media/${b}/${PEER}/3EB0000000000000000001`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const direct = await missing(owner.get(b)!);
    expect(direct.status).toBe(404);
    expect(await missing(via)).toEqual(direct);
  }, 60_000);

  it('a file named by path is read where the client is and reaches the other account whole; its download through a third daemon, over the socket and HTTP, is the same bytes', async () => {
    // The sender's and the receiver's daemons are two; the client talks to the third.
    const [sender, receiver] = [ACCOUNTS[0]!, ACCOUNTS[1]!];
    const via = NAMES.find((n) => n !== owner.get(sender) && n !== owner.get(receiver))!;
    const client = await clientOf(via);
    const bytes = randomBytes(600_000); // three download chunks
    const path = join(dirs[4]!.path, 'by-path.bin');
    await writeFile(path, bytes, { mode: 0o600 });
    const id = await client.send(sender, `${phoneOf(receiver)}@s.whatsapp.net`, { type: 'document', path, mimeType: 'application/octet-stream' });
    const chat = `${phoneOf(sender)}@s.whatsapp.net`;
    await until('the receiving account stored the document', async () => (await client.listMessages(receiver, chat, { limit: 20 })).some((m) => m.id === id));

    const file = await client.downloadMedia(receiver, chat, id);
    expect(file.fileName).toBe('by-path.bin');
    expect(Buffer.from(file.data!).equals(bytes)).toBe(true);
    const res = await fetch(`${daemons.get(via)!.http!.url}/v1/media/${receiver}/${encodeURIComponent(chat)}/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);

    // A path outside what this daemon lets callers name is refused here, as for its own accounts.
    const refused = await client.send(sender, PEER_JID, { type: 'document', path: '/proc/self/environ' }).then(
      () => undefined,
      (e: unknown) => e as WadClientError,
    );
    expect(refused?.code).toBe('INVALID_PAYLOAD');
    expect(refused?.details).toMatchObject({ media: 'PATH_REFUSED' });
  }, 60_000);

  it('account:list at any daemon shows every account with the daemon that runs it and its state there', async () => {
    for (const name of NAMES) {
      const listed = await (await clientOf(name)).listAccounts();
      for (const account of ACCOUNTS) {
        const entry = listed.find((a) => a.id === account);
        expect(entry, `${account} at ${name}`).toMatchObject({ owner: owner.get(account), running: true, state: 'online', jid: daemons.get(owner.get(account)!)!.accountStatus(account).jid });
        expect(String(entry!.ownerEndpoint)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      }
    }
  }, 30_000);

  it('webhook:list at any daemon counts each webhook over every daemon that delivers it', async () => {
    const bodies: string[] = [];
    const receiver = createHttpServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(parts).toString('utf8'));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    servers.push(receiver as unknown as Server);
    const call = async (name: string, path: string, body: unknown) => {
      const res = await fetch(`${daemons.get(name)!.http!.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await res.json()) as Record<string, unknown>;
    };
    const { id } = (await call(NAMES[0]!, '/v1/webhook/add', { url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`, events: ['message:new'] })) as { id: string };
    const sent: string[] = [];
    for (const account of ACCOUNTS) sent.push((await admin<{ id: string }>(s, 'POST', `/phones/${PEER}/messages`, { to: `${phoneOf(account)}@s.whatsapp.net`, text: `hook ${account}` })).id);
    // Three daemons delivered (one account each); each daemon's list counts them all.
    for (const name of NAMES) {
      await until(`webhook:list at ${name} counts every daemon's deliveries`, async () => {
        if (!sent.every((m) => bodies.some((b) => b.includes(m)))) return false;
        const hook = ((await call(name, '/v1/webhook/list', {}))['webhooks'] as Array<{ id: string; lag: number; delivered: number }>).find((w) => w.id === id);
        return hook !== undefined && hook.lag === 0 && hook.delivered === bodies.length;
      });
    }
    await call(NAMES[0]!, '/v1/webhook/remove', { id });
  }, 30_000);

  it('an owner that cannot be reached or never answers: UNAVAILABLE naming it, without hanging', async () => {
    // A daemon that died with its lease still live (refused connections), and one that accepts but never answers.
    const closed = await listen((srv) => srv.close());
    const silent = await listen(() => {});
    const dying = await dyingOwner();
    await postgres.query(
      `INSERT INTO daemons (id, endpoint, seen_at) VALUES ('ghost', $1, clock_timestamp()), ('mute', $2, clock_timestamp()), ('dying', $3, clock_timestamp())`,
      [`http://127.0.0.1:${closed}`, `http://127.0.0.1:${silent}`, `http://127.0.0.1:${dying}`],
    );
    await postgres.query(
      `INSERT INTO account_leases (account, owner, token, expires_at) VALUES ('ghostacc', 'ghost', 1, clock_timestamp() + interval '10 minutes'), ('muteacc', 'mute', 1, clock_timestamp() + interval '10 minutes'), ('dyingacc', 'dying', 1, clock_timestamp() + interval '10 minutes')`,
    );
    const client = await clientOf(NAMES[0]!);
    for (const [account, who] of [
      ['ghostacc', 'ghost'],
      ['muteacc', 'mute'],
    ] as const) {
      const err = await client.accountStatus(account).then(
        () => undefined,
        (e: unknown) => e as WadClientError,
      );
      expect(err?.code, `${account}`).toBe('UNAVAILABLE');
      expect(err?.details).toMatchObject({ account, owner: who });
      expect(err?.message).toContain(who);
    }
    // Downloads: from an owner that is gone (at once), and one that breaks off after half the file; over the socket and HTTP.
    const http = daemons.get(NAMES[0]!)!.http!;
    for (const [account, who, reason] of [
      ['ghostacc', 'ghost', 'unreachable'],
      ['dyingacc', 'dying', 'broken'],
    ] as const) {
      const err = await client.downloadMedia(account, PEER_JID, '3EB0000000000000000002').then(
        () => undefined,
        (e: unknown) => e as WadClientError,
      );
      expect(err?.code, account).toBe('UNAVAILABLE');
      expect(err?.details).toMatchObject({ account, owner: who, reason });
      const res = await fetch(`${http.url}/v1/media/${account}/${PEER}/3EB0000000000000000002`, { headers: { authorization: `Bearer ${TOKEN}` } });
      if (reason === 'unreachable') {
        expect(res.status).toBe(503);
        expect(((await res.json()) as { error: { details: unknown } }).error.details).toMatchObject({ account, owner: who, reason });
      } else {
        // The length was announced before the owner broke off: the body ends short, and reading it fails.
        expect(res.headers.get('content-length')).toBe(String(DYING_LENGTH));
        await expect(res.arrayBuffer()).rejects.toThrow();
      }
    }
  }, 30_000);
});

/** A TCP port on 127.0.0.1; `then` may close the server (a port nobody listens on) or keep it silent. */
async function listen(then: (srv: Server) => void): Promise<number> {
  const srv = createServer(() => {});
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const port = (srv.address() as { port: number }).port;
  servers.push(srv);
  then(srv);
  return port;
}

const DYING_LENGTH = 600_000;

/** An owner that starts a download, announcing DYING_LENGTH bytes, and dies after half of them. */
async function dyingOwner(): Promise<number> {
  const srv = createHttpServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-length': String(DYING_LENGTH), 'x-wad-media': encodeURIComponent(JSON.stringify({ fileLength: DYING_LENGTH, type: 'document' })) });
    res.write(Buffer.alloc(DYING_LENGTH / 2, 7), () => res.destroy());
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  servers.push(srv as unknown as Server);
  return (srv.address() as { port: number }).port;
}
