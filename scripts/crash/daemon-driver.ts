/**
 * The daemon as the SIGKILL cycles run it: createDaemon with the config file
 * given, reporting on stdout one JSON line per event the parent checks
 * (`ready`, every connection update with the account's jid, every stored
 * history chunk, supervisor crashes), and taking `{"cmd":"add","id","phone"?}` and
 * `{"cmd":"send","id","to","text"}` lines on stdin (answered `added`/`sent` or `…-failed`). With
 * WAD_DRIVER_IPC=1 it serves the control socket too (the ready line names it).
 *
 *   node --import tsx scripts/crash/daemon-driver.ts <config.json> [<config/default.json>]
 *
 * (The defaults path is given when the driver runs bundled, away from the repo.)
 */
import { createInterface } from 'node:readline';
import pino from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { createDaemon } from '../../src/daemon/index.js';

const out = (o: object): void => void process.stdout.write(JSON.stringify(o) + '\n');

// A SIGTERM that lands while the daemon is still starting must still stop it
// gracefully (the parent expects exit 0), so the handlers come first.
let stop: (() => void) | undefined;
let stopRequested = false;
const onSignal = (): void => {
  if (stop) stop();
  else stopRequested = true;
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

const config = loadConfig({ configPath: process.argv[2], env: {}, ...(process.argv[3] ? { defaultsPath: process.argv[3] } : {}) });
const daemon = await createDaemon(config, {
  logger: pino({ level: process.env.WAD_DRIVER_LOG ?? 'silent' }, pino.destination(2)),
  ipc: process.env.WAD_DRIVER_IPC === '1',
  pool: { inline: 'all' },
});
daemon.onEvent((e) => {
  // History chunks as they are stored: the parent times its kill and its measurements by them.
  if (e.type === 'history:sync') return out({ event: 'history', account: e.account, seq: e.seq, ...e.data });
  if (e.type !== 'connection:update') return;
  let jid: string | undefined;
  try {
    jid = daemon.accountStatus(e.account).jid;
  } catch {
    jid = undefined;
  }
  out({ event: 'update', account: e.account, seq: e.seq, state: e.data.state, reason: e.data.reason, qr: e.data.qr, pairCode: e.data.pairCode, jid });
});
daemon.supervisor.subscribe((ev) => {
  if (ev.type === 'CHILD.CRASHED' || ev.type === 'CHILD.FAILED') out({ event: 'child', type: ev.type, account: ev.id, error: String((ev.error as Error)?.message ?? ev.error) });
});
out({ event: 'ready', accounts: daemon.listAccounts(), socket: daemon.ipc ? daemon.socketPath : undefined });

createInterface({ input: process.stdin }).on('line', (line) => {
  let cmd: { cmd?: string; id?: string; phone?: string; to?: string; text?: string };
  try {
    cmd = JSON.parse(line) as typeof cmd;
  } catch {
    return;
  }
  if (cmd.cmd === 'add' && cmd.id) {
    daemon.addAccount(cmd.id, cmd.phone ? { phone: cmd.phone } : {}).then(
      (r) => out({ event: 'added', account: cmd.id, ...r }),
      (err: Error) => out({ event: 'add-failed', account: cmd.id, error: err.message }),
    );
  }
  if (cmd.cmd === 'send' && cmd.id && cmd.to && cmd.text !== undefined) {
    daemon.sendMessage(cmd.id, cmd.to, { type: 'text', content: cmd.text }).then(
      (r) => out({ event: 'sent', account: cmd.id, text: cmd.text, messageId: r.messageId }),
      (err: Error) => out({ event: 'send-failed', account: cmd.id, text: cmd.text, error: err.message }),
    );
  }
});

let stopping = false;
stop = (): void => {
  if (stopping) return; // a repeated signal must not cut the graceful stop short
  stopping = true;
  daemon.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
if (stopRequested) stop();
