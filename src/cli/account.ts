/**
 * `wad account add|list|status|start|stop|restart|remove|logout`
 * each one request to the daemon; `add` shows the QR (refreshing) or the
 * pairing code and returns once the phone linked the account.
 */
import { accountVerbs } from '../client/account-verbs.js';
import type { AccountSummary } from '../contract/api.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run, type DaemonLink } from './common.js';
import { Spinner } from './progress.js';
import { QrDisplay } from './qr.js';

const USAGE = `usage: wad account <command> [options]

commands:
  add <id> [--phone DIGITS] [--qr-file PNG] [--timeout SEC]
                   add an account and link it: shows the login QR (refreshing; drawn
                   when the terminal is tall enough, else written to a PNG) or, with
                   --phone, the 8-character pairing code; returns when linked.
                   --qr-file PNG also writes each QR to that file
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
      const { values, positionals } = parse(rest, { phone: { type: 'string' }, timeout: { type: 'string' }, 'qr-file': { type: 'string' } });
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
          const accounts = await accountVerbs(client).listAccounts();
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
          const a = await accountVerbs(client).accountStatus(id);
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
          return await add(client, id, { phone: values.phone, qrFile: values['qr-file'], timeoutMs: timeoutSec * 1000, json: values.json });
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
            await accountVerbs(client)[method](id);
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

async function add(client: DaemonLink, id: string, opts: { phone?: string | undefined; qrFile?: string | undefined; timeoutMs: number; json: boolean }): Promise<number> {
  const { phone, json } = opts;
  // With a phone number the code is what the person types: a QR drawn over it would hide it.
  const qr = phone === undefined || opts.qrFile !== undefined ? new QrDisplay({ out: process.stdout, file: opts.qrFile, draw: phone === undefined && !json }) : undefined;
  let qrs = 0;
  let shownCode: string | undefined;
  let spinner: Spinner | undefined;
  const onUpdate = (ev: { data: Record<string, unknown> }): void => {
    const d = ev.data;
    if (typeof d['qr'] === 'string' && qr) {
      if (phone === undefined) spinner?.clear();
      void qr.show(d['qr'], ++qrs);
    }
    if (json) {
      jsonLine({ event: 'connection:update', account: id, ...d });
      return;
    }
    if (phone !== undefined && typeof d['pairCode'] === 'string' && d['pairCode'] !== shownCode && shownCode !== undefined) {
      spinner?.clear();
      shownCode = d['pairCode'];
      process.stdout.write(pairCodeScreen(id, shownCode, true));
    }
    if (spinner && typeof d['state'] === 'string') spinner.update(waitingText(d));
  };
  try {
    const { pairCode } = await client.addAccount(id, { ...(phone !== undefined ? { phone: phone.replace(/^\+/, '') } : {}), onUpdate });
    if (pairCode !== undefined) {
      shownCode = pairCode;
      if (json) jsonLine({ event: 'pairCode', account: id, pairCode });
      else process.stdout.write(pairCodeScreen(id, pairCode, false));
    }
    if (!json) spinner = new Spinner('waiting for the phone to link…');
    let state;
    try {
      state = await client.waitForState(id, { states: ['online', 'loggedOut', 'stopped'], timeoutMs: opts.timeoutMs });
    } finally {
      spinner?.stop();
    }
    if (state !== 'online') throw new Error(`account ${id} did not link (state ${state})`);
    const status = await accountVerbs(client).accountStatus(id);
    if (json) jsonLine({ event: 'linked', account: id, jid: status.jid ?? null });
    else process.stdout.write(`account ${id} linked${status.jid ? ` as ${status.jid}` : ''}\n`);
    return 0;
  } finally {
    qr?.close();
  }
}

/** The screen a person reads the pairing code from, the code set apart so nothing else is mistaken for it. */
export function pairCodeScreen(id: string, code: string, refreshed: boolean): string {
  return [
    refreshed ? `New pairing code for ${id} (the last one expired):` : `Pairing code for ${id}:`,
    '',
    `    ${code.slice(0, 4)}-${code.slice(4)}`,
    '',
    'On the phone: WhatsApp → Settings → Linked devices → Link a device →',
    '"Link with phone number instead", then type the code.',
    '',
  ].join('\n');
}

/** The spinner's line while linking: the connection's state and, when it is not getting through, why. */
function waitingText(d: Record<string, unknown>): string {
  const state = d['state'];
  // The socket's own words (a DNS failure, a refused port) say more than the kind of failure.
  const why = typeof d['cause'] === 'string' ? d['cause'].replace(/^socket error: /, '') : typeof d['reason'] === 'string' ? d['reason'] : undefined;
  if (state === 'reconnecting' || state === 'connecting') {
    const retry = typeof d['delayMs'] === 'number' ? `; retrying in ${Math.max(1, Math.round(d['delayMs'] / 1000))} s` : '';
    return why !== undefined ? `cannot reach WhatsApp${retry ? `, ${retry.slice(2)}` : ''}: ${why}` : 'connecting to WhatsApp…';
  }
  return 'waiting for the phone to link…';
}

function printTable(accounts: AccountSummary[]): void {
  if (accounts.length === 0) {
    process.stdout.write('no accounts (add one with `wad account add <id>`)\n');
    return;
  }
  // In a cluster every account names the daemon that runs it.
  const cluster = accounts.some((a) => a.owner !== undefined);
  const head = cluster ? ['ID', 'STATE', 'JID', 'OWNER', 'REASON'] : ['ID', 'STATE', 'JID', 'REASON'];
  const rows = accounts.map((a) => [a.id, a.state, a.jid ?? '', ...(cluster ? [a.owner ?? '-'] : []), a.reason === undefined ? '' : a.cause !== undefined ? `${a.reason} (${a.cause})` : a.reason]);
  const padded = head.length - 1;
  const widths = head.slice(0, padded).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i < padded ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd() + '\n';
  process.stdout.write(line(head));
  for (const r of rows) process.stdout.write(line(r));
}
