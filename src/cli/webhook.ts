/**
 * `wad webhook add <url> [--events a,b] [--accounts x,y] [--secret S]`,
 * `wad webhook list`, `remove <id>`, `resume <id>`, `test <id>`: the
 * daemon's webhooks, over the socket or (--url) its HTTP API.
 */
import { EVENT_TYPES } from '../contract/frames.js';
import type { EventType } from '../contract/api.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run } from './common.js';

const USAGE = `usage: wad webhook add <url> [--events TYPES] [--accounts IDS] [--secret S]
       wad webhook list | remove <id> | resume <id> | test <id>

Each event is POSTed to the URL as its event frame, signed
(X-Wad-Signature: sha256=<HMAC of the body>) and numbered (X-Wad-Delivery:
<account>:<seq>), at least once and in order per account. add prints the id and
the secret (made for you without --secret). test POSTs one webhook:test frame.

options:
  --events TYPES   event types, comma-separated (default: all)
  --accounts IDS   accounts, comma-separated (default: all)
  --secret S       the signing secret (16 to 256 characters)
${COMMON_HELP}`;

export async function runWebhook(argv: readonly string[]): Promise<number> {
  return run('webhook', async () => {
    const { values, positionals } = parse(argv, { events: { type: 'string' }, accounts: { type: 'string' }, secret: { type: 'string' } });
    const [sub, arg, ...extra] = positionals;
    if (values.help || sub === undefined) {
      process.stdout.write(USAGE + '\n');
      return sub === undefined && !values.help ? 2 : 0;
    }
    if (extra.length > 0) throw new UsageError(`unexpected '${extra[0]}' (see wad webhook --help)`);
    const client = await connect(values);
    try {
      if (sub === 'add') {
        if (arg === undefined) throw new UsageError('usage: wad webhook add <url>');
        const events = values.events?.split(',').filter(Boolean) as EventType[] | undefined;
        for (const t of events ?? []) if (!EVENT_TYPES.includes(t)) throw new UsageError(`unknown event type '${t}'`);
        const accounts = values.accounts?.split(',').filter(Boolean);
        const r = await client.request('webhook:add', {
          url: arg,
          ...(events?.length ? { events } : {}),
          ...(accounts?.length ? { accounts } : {}),
          ...(values.secret !== undefined ? { secret: values.secret } : {}),
        });
        if (values.json) jsonLine(r);
        else process.stdout.write(`webhook ${r.id} added\nsecret ${r.secret}\n`);
        return 0;
      }
      if (sub === 'list') {
        const { webhooks } = await client.request('webhook:list', {});
        if (values.json) webhooks.forEach(jsonLine);
        else if (webhooks.length === 0) process.stdout.write('no webhooks (add one with `wad webhook add <url>`)\n');
        else
          for (const w of webhooks) {
            process.stdout.write(`${w.id}  ${w.state}  ${w.url}  lag ${w.lag}  delivered ${w.delivered}  failures ${w.failures}${w.lastError ? `  (${w.lastError})` : ''}\n`);
          }
        return 0;
      }
      if (sub === 'remove' || sub === 'resume' || sub === 'test') {
        if (arg === undefined) throw new UsageError(`usage: wad webhook ${sub} <id>`);
        if (sub === 'test') {
          const r = await client.request('webhook:test', { id: arg });
          if (values.json) jsonLine(r);
          else process.stdout.write(r.ok ? `webhook ${arg}: the receiver answered ${r.status}\n` : `webhook ${arg}: failed: ${r.error}\n`);
          return r.ok ? 0 : 1;
        }
        await client.request(sub === 'remove' ? 'webhook:remove' : 'webhook:resume', { id: arg });
        if (values.json) jsonLine({ ok: true, id: arg, action: sub });
        else process.stdout.write(`webhook ${arg} ${sub === 'remove' ? 'removed' : 'resumed'}\n`);
        return 0;
      }
      throw new UsageError(`unknown command 'webhook ${sub}' (see wad webhook --help)`);
    } finally {
      await client.close();
    }
  });
}
