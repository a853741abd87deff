// Messaging throughput and latency against the simulator: wad's messaging
// module against Baileys 7 in the same run.
//
//   npx tsx scripts/bench/messaging.ts [--quick]
//
// - send: one account sends MSGS texts round-robin to 100 recipients; time until
//   every recipient has decrypted its messages.
// - receive: 100 contacts send MSGS texts in all to one account; time until it
//   has decoded (wad: persisted with its event) every one.
// - p99 send latency of other accounts (5, each sending 1:1 texts to a contact one
//   at a time; latency = send → the server's ack, what message:send waits for)
//   while one account sends a first message to a 500-member group (bundles for 500
//   devices, 500 pairwise sender-key distributions), against the same accounts
//   idle. Medians of ROUNDS alternating rounds, a new group each round.
// wad runs as devices attached to the simulator's hub (the messaging layer over
// the simulator's router, crypto on one worker thread); Baileys clients connect
// over WebSocket + Noise. Recipients and senders are wad devices in both runs;
// group members are passive devices (keys and prekeys at the server, offline), so
// the group measure is the sender's work and its effect on other accounts, not
// 500 receivers sharing this process (2 cores).
import { pino } from 'pino';
import { CryptoPool } from '../../src/runtime/crypto-pool/index.js';
import { generateIdentityKeyPair, generatePreKeys, generateRegistrationId, generateSignedPreKey } from '../../src/protocol/signal/index.js';
import { startSim, type SimHandle } from '../../src/sim/index.js';
import { createGroup } from '../../src/sim/iq/groups.js';
import { World, type TestAccount } from '../../test/account/messaging/world.js';
import { admin, BaileysClient } from '../../test/sim/baileys-harness.js';

const quick = process.argv.includes('--quick');
const MSGS = quick ? 300 : 1000;
const CONTACTS = 100;
const GROUP = quick ? 200 : 500;
const OTHERS = 5;
const ROUNDS = 3;
void pino;
const t00 = performance.now();
const progress = (what: string): void => void process.stderr.write(`[${((performance.now() - t00) / 1000).toFixed(1)} s] ${what}\n`);

let phoneSeq = 0;
const nextPhone = () => `1777${String(++phoneSeq).padStart(7, '0')}`;

async function wadAccounts(sim: SimHandle, world: World, n: number): Promise<TestAccount[]> {
  const out: TestAccount[] = [];
  for (let i = 0; i < n; i++) {
    const phone = nextPhone();
    await admin(sim, 'POST', '/phones', { phone, name: `p${phone}` });
    out.push(await world.account(phone, { device: 9, ackTimeoutMs: 120_000 }));
  }
  return out;
}

/** Users with a phone and one companion (device 9) known to the server with keys and prekeys, never online. */
function passiveMembers(sim: SimHandle, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const phone = nextPhone();
    const user = sim.hub.dir.addUser(phone, `m${phone}`, Date.now());
    for (const deviceId of [0, 9]) {
      const identity = generateIdentityKeyPair();
      const spk = generateSignedPreKey(identity, 1);
      const jid = deviceId === 0 ? `${phone}@s.whatsapp.net` : `${phone}:${deviceId}@s.whatsapp.net`;
      sim.hub.dir.addDevice(user, {
        jid,
        deviceId,
        keyIndex: deviceId,
        platform: deviceId === 0 ? 'phone' : 'Chrome',
        linkedAt: Date.now(),
        identityKey: identity.public,
        registrationId: generateRegistrationId(),
        signedPreKey: { keyId: 1, publicKey: spk.keyPair.public, signature: spk.signature },
        noiseKey: generateIdentityKeyPair().public,
      });
      sim.hub.prekeys.add(jid, generatePreKeys(1, 8).map((p) => ({ keyId: p.keyId, publicKey: p.keyPair.public })));
    }
    out.push(user.jid);
  }
  return out;
}

async function baileysAccount(sim: SimHandle): Promise<BaileysClient> {
  const phone = nextPhone();
  await admin(sim, 'POST', '/phones', { phone, name: `b${phone}` });
  const c = new BaileysClient(sim, phone);
  await c.linkByQr(phone);
  return c;
}

const has = (a: TestAccount, text: string) => a.events('message:new').some((e) => e.data.content === text);

async function waitAll(what: string, probe: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;
const p99 = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? NaN;

/** Latency samples of `others` sending one message at a time to their contact until `stop()` is true. */
async function latencies(send: (i: number, n: number) => Promise<void>, others: number, stop: () => boolean, min = 20): Promise<number[]> {
  const out: number[] = [];
  await Promise.all(
    Array.from({ length: others }, async (_, i) => {
      for (let n = 0; !stop() || n < min; n++) {
        const t0 = performance.now();
        await send(i, n);
        out.push(performance.now() - t0);
      }
    }),
  );
  return out;
}

async function main(): Promise<void> {
  const sim = await startSim();
  const pool = new CryptoPool({ threads: 1 });
  const world = new World(sim.hub, { pool });
  const rows: Array<[string, number, number, string]> = [];
  if (process.env.BENCH_DEBUG) setInterval(() => progress(`pool pending ${pool.pending}; senders ${world.accounts.map((a) => a.messaging.stats().senderActors).reduce((x, y) => x + y, 0)}`), 10_000).unref();
  try {
    const contacts = await wadAccounts(sim, world, CONTACTS);
    progress('contacts ready');

    // ---- send to 100 recipients ------------------------------------------
    const [wadSender] = await wadAccounts(sim, world, 1);
    const bSender = await baileysAccount(sim);
    const sendRun = async (label: string, send: (to: string, text: string) => Promise<unknown>): Promise<number> => {
      const t0 = performance.now();
      await Promise.all(
        contacts.map(async (c, ci) => {
          for (let i = ci; i < MSGS; i += CONTACTS) await send(c.userJid, `${label} ${i}`);
        }),
      );
      await waitAll(`${label} delivered`, () => contacts.every((c, ci) => ci >= MSGS || has(c, `${label} ${ci + Math.floor((MSGS - 1 - ci) / CONTACTS) * CONTACTS}`)));
      return (MSGS * 1000) / (performance.now() - t0);
    };
    // Warm up sessions both ways, then measure.
    await sendRun('warm-w', (to, text) => wadSender!.messaging.send(to, { type: 'text', content: text }));
    await sendRun('warm-b', (to, text) => bSender.sock!.sendMessage(to, { text }));
    progress('warm');
    const sendWad = await sendRun('send-w', (to, text) => wadSender!.messaging.send(to, { type: 'text', content: text }));
    const sendBai = await sendRun('send-b', (to, text) => bSender.sock!.sendMessage(to, { text }));
    progress('send measured');
    rows.push([`send: 1 account → ${CONTACTS} recipients (msgs/s)`, sendWad, sendBai, 'higher is better']);

    // ---- receive from 100 contacts ------------------------------------------
    const recvRun = async (label: string, to: string, done: (texts: Set<string>) => boolean): Promise<number> => {
      const texts = new Set(Array.from({ length: MSGS }, (_, i) => `${label} ${i}`));
      const t0 = performance.now();
      await Promise.all(
        contacts.map(async (c, ci) => {
          for (let i = ci; i < MSGS; i += CONTACTS) await c.messaging.send(to, { type: 'text', content: `${label} ${i}` });
        }),
      );
      await waitAll(`${label} received`, () => done(texts));
      return (MSGS * 1000) / (performance.now() - t0);
    };
    const wadGot = (label: string) => (texts: Set<string>) => wadSender!.events('message:new').filter((e) => typeof e.data.content === 'string' && (e.data.content as string).startsWith(label) && texts.has(e.data.content as string)).length >= MSGS;
    const baiGot = (label: string) => (texts: Set<string>) => bSender.received.filter((m) => texts.has(m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? '')).length >= MSGS;
    await recvRun('rwarm-w', wadSender!.userJid, wadGot('rwarm-w'));
    await recvRun('rwarm-b', bSender.userJid, baiGot('rwarm-b'));
    const recvWad = await recvRun('recv-w', wadSender!.userJid, wadGot('recv-w'));
    const recvBai = await recvRun('recv-b', bSender.userJid, baiGot('recv-b'));
    progress('receive measured');
    rows.push([`receive: ${CONTACTS} contacts → 1 account (msgs/s)`, recvWad, recvBai, 'higher is better']);

    // ---- latency of other accounts during a 500-member group send ----------
    const members = passiveMembers(sim, GROUP - 1);
    const peers = contacts.slice(0, OTHERS);
    const wadOthers = await wadAccounts(sim, world, OTHERS);
    const baiOthers: BaileysClient[] = [];
    for (let i = 0; i < OTHERS; i++) baiOthers.push(await baileysAccount(sim));
    const groupRun = async (label: string, creatorPhone: string, sendGroup: (g: string) => Promise<unknown>, other: (i: number, n: number) => Promise<void>): Promise<[number, number]> => {
      const idle = await latencies(other, OTHERS, () => true);
      const { jid } = createGroup(sim.hub, `${creatorPhone}@s.whatsapp.net`, label, members);
      let busy = true;
      const during = latencies(other, OTHERS, () => !busy, 5);
      const t0 = performance.now();
      await sendGroup(jid);
      busy = false;
      const groupMs = performance.now() - t0;
      void groupMs;
      return [p99(idle), p99(await during)];
    };
    const wadOther = (label: string) => async (i: number, n: number) => {
      await wadOthers[i]!.messaging.send(peers[i]!.userJid, { type: 'text', content: `${label} ${i} ${n}` });
    };
    const baiAcks = new Set<string>();
    for (const c of baiOthers) c.sock!.ws.on('CB:ack,class:message', (node: { attrs: Record<string, string> }) => baiAcks.add(node.attrs.id!));
    const baiOther = (label: string) => async (i: number, n: number) => {
      const id = (await baiOthers[i]!.sock!.sendMessage(peers[i]!.userJid, { text: `${label} ${i} ${n}` }))!.key.id!;
      await waitAll(`ack ${id}`, () => baiAcks.has(id));
    };
    progress('group members ready');
    const w: Array<[number, number]> = [];
    const b: Array<[number, number]> = [];
    for (let r = 0; r < ROUNDS; r++) {
      w.push(await groupRun(`gw${r}`, wadSender!.phone, (g) => wadSender!.messaging.send(g, { type: 'text', content: 'to the group' }), wadOther(`lw${r}`)));
      progress(`wad group round ${r} measured`);
      b.push(await groupRun(`gb${r}`, bSender.userJid.split('@')[0]!, (g) => bSender.sock!.sendMessage(g, { text: 'to the group' }), baiOther(`lb${r}`)));
      progress(`Baileys group round ${r} measured`);
    }
    rows.push([`p99 send latency of ${OTHERS} other accounts, idle (ms)`, median(w.map((x) => x[0])), median(b.map((x) => x[0])), 'lower is better']);
    rows.push([`p99 send latency of ${OTHERS} other accounts during a ${GROUP}-member group send (ms)`, median(w.map((x) => x[1])), median(b.map((x) => x[1])), 'lower is better']);

    for (const c of [bSender, ...baiOthers]) c.kill();
  } finally {
    await world.close();
    await sim.close();
  }

  console.log(`\n### Messaging (${quick ? 'quick' : 'full'}: ${MSGS} messages, ${CONTACTS} contacts, ${GROUP}-member group)\n`);
  console.log('| measure | wad | Baileys 7.0.0-rc14 | wad / Baileys |');
  console.log('|---|---:|---:|---:|');
  for (const [name, ours, ref, better] of rows) {
    const ratio = better === 'higher is better' ? ours / ref : ref / ours;
    console.log(`| ${name} | ${ours.toFixed(1)} | ${ref.toFixed(1)} | ${ratio.toFixed(2)}× ${better === 'higher is better' ? '' : '(Baileys / wad)'} |`);
  }
  console.log('\nCommand: `npx tsx scripts/bench/messaging.ts`');
}

await main();
process.exit(0);
