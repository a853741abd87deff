/**
 * `wad account add|list|status|start|stop|restart|remove|logout`
 * each one request to the daemon; `add` shows the QR (refreshing) or the
 * pairing code and returns once the phone linked the account.
 */
import type { AccountSummary } from '../contract/api.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run, type DaemonLink } from './common.js';
import { Spinner } from './progress.js';
import { QrDisplay } from './qr.js';

const USAGE = `usage: wad account <command> [options]

commands:
  add <id> [--phone DIGITS] [--timeout SEC]
                   add an account and link it: shows the login QR (refreshing) or,
                   with --phone, the 8-character pairing code; returns when linked
  list             every account and its state
  status <id>      one account's state
  start <id>       start an account
  stop <id>        stop an account (it stays registered)
  restart <id>     restart one account; the others keep running
  logout <id>      unlink the account from the phone (keeps its event log)
  remove <id>      remove the account and its data

options:
${COMMON_HELP}`;

const SIMPLE = {
  start: ['startAccount', 'started'],
  stop: ['stopAccount', 'stopped'],
  restart: ['restartAccount', 'restarted'],
  logout: ['logoutAccount', 'logged out'],
  remove: ['removeAccount', 'removed'],
} as const;

export async function runAccount(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE + '\n');
    return sub === undefined ? 2 : 0;
  }
  const cmd = `account ${sub}`;
  return run(
    cmd,
    async () => {
      const { values, positionals } = parse(rest, { phone: { type: 'string' }, timeout: { type: 'string' } });
      if (values.help) {
        process.stdout.write(USAGE + '\n');
        return 0;
      }
      const needId = (): string => {
        if (positionals.length !== 1) throw new UsageError(`usage: wad account ${sub} <id>`);
        return positionals[0]!;
      };
      if (sub === 'list') {
        if (positionals.length > 0) throw new UsageError('usage: wad account list');
        const client = await connect(values);
        try {
          const accounts = await client.listAccounts();
          if (values.json) accounts.forEach(jsonLine);
          else printTable(accounts);
          return 0;
        } finally {
          await client.close();
        }
      }
      if (sub === 'status') {
        const id = needId();
        const client = await connect(values);
        try {
          const a = await client.accountStatus(id);
          if (values.json) jsonLine(a);
          else {
            const { counters, ...summary } = a;
            for (const [k, v] of Object.entries(summary)) process.stdout.write(`${k.padEnd(8)} ${String(v)}\n`);
            const names = Object.keys(counters ?? {}).sort();
            if (names.length > 0) process.stdout.write(`counters\n${names.map((n) => `  ${n.padEnd(28)} ${counters![n]}\n`).join('')}`);
          }
          return 0;
        } finally {
          await client.close();
        }
      }
      if (sub === 'add') {
        const id = needId();
        const timeoutSec = values.timeout === undefined ? 300 : Number(values.timeout);
        if (!Number.isFinite(timeoutSec) || timeoutSec <= 0) throw new UsageError('--timeout must be a number of seconds');
        if (values.phone !== undefined && !/^\+?[0-9]{5,15}$/.test(values.phone)) throw new UsageError('--phone must be the phone number in digits, with country code');
        const client = await connect(values);
        try {
          return await add(client, id, values.phone, timeoutSec * 1000, values.json);
        } finally {
          await client.close();
        }
      }
      if (sub in SIMPLE) {
        const id = needId();
        const [method, done] = SIMPLE[sub as keyof typeof SIMPLE];
        const client = await connect(values);
        try {
          const spinner = values.json ? undefined : new Spinner(`${sub} ${id}…`);
          try {
            await client[method](id);
          } finally {
            spinner?.stop();
          }
          if (values.json) jsonLine({ ok: true, id, action: sub });
          else process.stdout.write(`account ${id} ${done}\n`);
          return 0;
        } finally {
          await client.close();
        }
      }
      throw new UsageError(`unknown command 'account ${sub}' (see wad account --help)`);
    },
    { account: rest.find((a) => !a.startsWith('-')) ?? '' },
  );
}

async function add(client: DaemonLink, id: string, phone: string | undefined, timeoutMs: number, json: boolean): Promise<number> {
  const qr = new QrDisplay();
  let qrs = 0;
  let spinner: Spinner | undefined;
  const onUpdate = (ev: { data: Record<string, unknown> }): void => {
    const d = ev.data;
    if (json) {
      jsonLine({ event: 'connection:update', account: id, ...d });
      return;
    }
    if (typeof d['qr'] === 'string') {
      spinner?.clear();
      void qr.show(d['qr'], ++qrs);
    }
  };
  const { pairCode } = await client.addAccount(id, { ...(phone !== undefined ? { phone: phone.replace(/^\+/, '') } : {}), onUpdate });
  if (pairCode !== undefined) {
    if (json) jsonLine({ event: 'pairCode', account: id, pairCode });
    else process.stdout.write(`Pairing code for ${id}: ${pairCode.slice(0, 4)}-${pairCode.slice(4)}\nOn the phone: WhatsApp → Settings → Linked devices → Link a device → Link with phone number instead.\n`);
  }
  if (!json) spinner = new Spinner('waiting for the phone to link…');
  let state;
  try {
    state = await client.waitForState(id, { states: ['online', 'loggedOut', 'stopped'], timeoutMs });
  } finally {
    spinner?.stop();
  }
  if (state !== 'online') throw new Error(`account ${id} did not link (state ${state})`);
  const status = await client.accountStatus(id);
  if (json) jsonLine({ event: 'linked', account: id, jid: status.jid ?? null });
  else process.stdout.write(`account ${id} linked${status.jid ? ` as ${status.jid}` : ''}\n`);
  return 0;
}

function printTable(accounts: AccountSummary[]): void {
  if (accounts.length === 0) {
    process.stdout.write('no accounts (add one with `wad account add <id>`)\n');
    return;
  }
  const rows = accounts.map((a) => [a.id, a.state, a.jid ?? '', a.reason ?? '']);
  const widths = [0, 1, 2].map((i) => Math.max(['ID', 'STATE', 'JID'][i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd() + '\n';
  process.stdout.write(line(['ID', 'STATE', 'JID', 'REASON']));
  for (const r of rows) process.stdout.write(line(r));
}
