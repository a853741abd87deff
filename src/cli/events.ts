/**
 * `wad events [--account ID] [--types a,b] [--follow]`:
 * prints events as NDJSON — the retained log and exit, or with --follow the
 * live stream (from --since SEQ, or a durable --name's last ack).
 */
import { EVENT_TYPES } from '../contract/frames.js';
import type { EventType } from '../contract/api.js';
import { accountVerbs } from '../client/account-verbs.js';
import { WadClientError } from '../client/errors.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run, type DaemonLink } from './common.js';

const USAGE = `usage: wad events [--account ID]... [--types a,b] [--follow] [--since SEQ] [--name NAME]

Prints events as NDJSON, one {"account","seq","type","t","conversationId"?,"data"} per line.
Without --follow: every event still retained, then exits (with --name: from its
last ack, and acks what was printed). With --follow: keeps printing new events
(from --since SEQ if given) until interrupted.

options:
  --account ID     only this account (repeat or comma-separate for several)
  --types a,b      only these types (${EVENT_TYPES.join(', ')})
  --follow, -f     keep printing new events
  --since SEQ      start at this seq (0: the oldest retained)
  --name NAME      a durable subscriber: resume from its last ack, and ack what was printed
${COMMON_HELP}`;

export async function runEvents(argv: readonly string[]): Promise<number> {
  return run('events', async () => {
    const { values } = parse(argv, {
      account: { type: 'string', multiple: true },
      types: { type: 'string' },
      follow: { type: 'boolean', short: 'f', default: false },
      since: { type: 'string' },
      name: { type: 'string' },
    });
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    const accounts = values.account?.flatMap((a) => a.split(',')).filter(Boolean);
    const types = values.types?.split(',').filter(Boolean) as EventType[] | undefined;
    for (const t of types ?? []) if (!EVENT_TYPES.includes(t)) throw new UsageError(`unknown event type '${t}' (one of ${EVENT_TYPES.join(', ')})`);
    const since = values.since === undefined ? undefined : Number(values.since);
    if (since !== undefined && (!Number.isSafeInteger(since) || since < 0)) throw new UsageError('--since must be a seq (an integer ≥ 0)');
    const client = await connect(values);
    // The daemon lets a subscription name an account that does not exist yet (it joins with its first
    // event), so a mistyped id would print nothing, or wait for ever with --follow: say so here.
    const unknown = await unknownAccounts(client, accounts ?? []);
    if (unknown.length > 0 && !values.follow) {
      await client.close();
      throw new WadClientError('NOT_FOUND', `unknown account${unknown.length > 1 ? 's' : ''} ${unknown.map((a) => `'${a}'`).join(', ')} (see \`wad account list\`)`);
    }
    for (const a of unknown) process.stderr.write(`wad events: no account '${a}' yet: waiting for its first event\n`);
    const stream = client.subscribe({
      ...(accounts && accounts.length > 0 ? { accounts } : {}),
      ...(types && types.length > 0 ? { types } : {}),
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(since !== undefined ? { since } : values.follow || values.name !== undefined ? {} : { since: 0 }),
      untilSynced: !values.follow,
    });
    const stop = (): void => void stream.close().then(() => client.close());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const ev of stream) {
        const { seq: _s, ...data } = ev.data;
        jsonLine({ account: ev.account, seq: ev.seq, type: ev.type, t: ev.t, ...(ev.conversationId !== undefined ? { conversationId: ev.conversationId } : {}), data });
      }
      return 0;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await stream.close();
      await client.close();
    }
  });
}

async function unknownAccounts(client: DaemonLink, named: readonly string[]): Promise<string[]> {
  if (named.length === 0) return [];
  const known = new Set((await accountVerbs(client).listAccounts()).map((a) => a.id));
  return named.filter((a) => !known.has(a));
}
