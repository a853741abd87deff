/**
 * `wad demo`: a simulator and a daemon in temporary
 * directories, two accounts linked through simulated phones (one by QR, one
 * by pairing code), then a short conversation — text, reply, reaction, group
 * — driven through WadClient over the control socket and printed as the
 * events arrive. Exits 0 when every step was seen on the other side. Owns the
 * demo's temporary world; removes it on the way out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { WadClient } from '../client/index.js';
import { configForSimulator } from '../config/index.js';
import { createDaemon, type Daemon } from '../daemon/index.js';
import type { TypedWadEvent } from '../contract/events.js';
import { startSim, type SimHandle } from '../sim/index.js';
import { Spinner } from './progress.js';

const USAGE = `usage: wad demo

Starts a WhatsApp server simulator and a wad daemon in temporary directories,
links two accounts through simulated phones (alice by QR code, bob by pairing
code), has them talk — a text, a reply, a reaction, a group — over the daemon's
control socket, prints what happens, cleans up and exits 0.`;

const ALICE = '15550000001';
const BOB = '15550000002';
const STEP_MS = 30_000;

export async function runDemo(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (argv.length > 0) {
    process.stderr.write(`wad demo: unknown option ${argv[0]} (see wad demo --help)\n`);
    return 2;
  }
  const world = new World();
  try {
    await world.run();
    return 0;
  } catch (err) {
    world.spinner?.stop();
    process.stderr.write(`wad demo: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await world.close();
  }
}

const say = (line = ''): void => void process.stdout.write(line + '\n');
const short = (s: string, n = 40): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

class World {
  sim: SimHandle | undefined;
  daemon: Daemon | undefined;
  client: WadClient | undefined;
  dir: string | undefined;
  spinner: Spinner | undefined;
  readonly #arrived: TypedWadEvent[] = [];
  readonly #waiters = new Set<() => void>();

  async run(): Promise<void> {
    say('wad demo — a WhatsApp server simulator and a wad daemon, in temporary directories\n');
    this.dir = await mkdtemp(join(tmpdir(), 'wad-demo-'));
    const sim = (this.sim = await startSim());
    await this.#admin('/phones', { phone: ALICE, name: 'Alice' });
    await this.#admin('/phones', { phone: BOB, name: 'Bob' });
    const config = configForSimulator(sim, join(this.dir, 'data'), 'wad demo', [['accounts.sendRate', { perSecond: 100, burst: 100 }]]);
    this.daemon = await createDaemon(config, { logger: pino({ level: 'silent' }) });
    say(`  simulator  ${sim.wsUrl}  (phones: Alice +${ALICE}, Bob +${BOB})`);
    say(`  daemon     ${this.daemon.socketPath}\n`);
    const client = (this.client = await WadClient.connect({ socket: this.daemon.socketPath }));

    // Linking: alice scans a QR with her phone, bob types a pairing code into his.
    this.spinner = new Spinner('alice: waiting for the QR code…');
    let qr: string | undefined;
    await client.addAccount('alice', { onUpdate: (ev) => typeof ev.data['qr'] === 'string' && (qr ??= ev.data['qr']) });
    await this.#until('the QR code', () => qr);
    this.spinner.update("alice: Alice's phone scans the QR code…");
    await this.#admin(`/phones/${ALICE}/link`, { qr });
    await client.waitForState('alice', { timeoutMs: STEP_MS });
    this.spinner.stop();
    say(`  ✓ alice linked by QR code      as ${(await client.accountStatus('alice')).jid}`);
    this.spinner = new Spinner('bob: asking for a pairing code…');
    const { pairCode } = await client.addAccount('bob', { phone: BOB });
    this.spinner.update(`bob: Bob's phone enters ${pairCode}…`);
    await this.#admin(`/phones/${BOB}/link-code`, { code: pairCode });
    await client.waitForState('bob', { timeoutMs: STEP_MS });
    this.spinner.stop();
    say(`  ✓ bob linked by pairing code   ${pairCode!.slice(0, 4)}-${pairCode!.slice(4)} as ${(await client.accountStatus('bob')).jid}\n`);
    this.spinner = undefined;

    // Everything either account receives, as the daemon publishes it.
    const stream = client.subscribe({ accounts: ['alice', 'bob'], types: ['message:new'] });
    void (async () => {
      for await (const ev of stream) {
        this.#arrived.push(ev);
        for (const w of this.#waiters) w();
      }
    })().catch(() => {
      // The stream ends with the daemon; a step waiting on it times out and says what was missing.
    });
    await stream.synced;

    say('Conversation (→ sent by the daemon, ⇐ received as a message:new event)');
    const hi = await client.sendText('alice', BOB, 'Hi Bob! This message went through wad.');
    say(`  alice → bob    "Hi Bob! This message went through wad."`);
    const got1 = await this.#receive('bob', hi);
    say(`  bob   ⇐ alice  "${got1.data['content']}"`);

    const re = await client.reply('bob', ALICE, hi, 'Hey Alice — loud and clear.');
    say(`  bob   → alice  ↪ replying to "${short(String(got1.data['content']), 24)}": "Hey Alice — loud and clear."`);
    const got2 = await this.#receive('alice', re);
    const quoted = got2.data['quoted'] as { id?: string } | undefined;
    say(`  alice ⇐ bob    ↪ a reply to ${quoted?.id === hi ? 'her message' : `message ${quoted?.id}`}: "${got2.data['content']}"`);

    const like = await client.react('alice', BOB, re, '👍');
    say(`  alice → bob    👍 on "${short(String(got2.data['content']), 28)}"`);
    const got3 = await this.#receive('bob', like);
    const reaction = got3.data['reaction'] as { emoji?: string; target?: { id?: string } } | undefined;
    say(`  bob   ⇐ alice  ${reaction?.emoji ?? '?'} on ${reaction?.target?.id === re ? 'his reply' : `message ${reaction?.target?.id}`}`);

    const group = await client.createGroup('alice', 'wad demo', [BOB]);
    say(`  alice creates the group "wad demo" with bob → ${group}`);
    const welcome = await client.sendText('alice', group, 'Welcome to the group!');
    say(`  alice → group  "Welcome to the group!"`);
    const got4 = await this.#receive('bob', welcome);
    say(`  bob   ⇐ group  ${got4.conversationId === group ? '' : `(chat ${got4.conversationId}) `}"${got4.data['content']}"`);
    const thanks = await client.sendText('bob', group, 'Thanks, glad to be here.');
    say(`  bob   → group  "Thanks, glad to be here."`);
    const got5 = await this.#receive('alice', thanks);
    say(`  alice ⇐ group  "${got5.data['content']}"`);

    await stream.close();
    say('\nDone: 2 accounts linked, 5 messages (a text, a reply, a reaction, 2 in a group) — every one');
    say('sent with WadClient and received as an event over the daemon\'s control socket.');
    say('\nFor a real phone: `wad daemon` in one terminal, `wad account add <id>` in another (see README).');
  }

  async close(): Promise<void> {
    this.spinner?.stop();
    await this.client?.close().catch(() => {});
    await this.daemon?.stop().catch(() => {});
    await this.sim?.close().catch(() => {});
    if (this.dir) await rm(this.dir, { recursive: true, force: true }).catch(() => {});
  }

  /** The message:new of `id` at `account`. */
  #receive(account: string, id: string): Promise<TypedWadEvent> {
    return this.#until(`message ${id} at ${account}`, () => this.#arrived.find((e) => e.account === account && e.data['id'] === id));
  }

  #until<T>(what: string, probe: () => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const v = probe();
        if (v === undefined) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        clearInterval(poll);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        clearInterval(poll);
        reject(new Error(`timed out waiting for ${what}`));
      }, STEP_MS);
      const poll = setInterval(check, 20);
      this.#waiters.add(check);
      check();
    });
  }

  async #admin(path: string, body: unknown): Promise<unknown> {
    const res = await fetch(`${this.sim!.adminUrl}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
}
