/**
 * `wad call reject <id> <call-id> <caller>`: declines a ringing call, the
 * call id and caller as the `call:incoming` event named them (`wad events
 * --follow --types call:incoming` shows them as they ring).
 */
import { callVerbs } from '../client/call-verbs.js';
import { normalizeJid } from '../ipc/jid.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run } from './common.js';

const USAGE = `usage: wad call reject <id> <call-id> <caller>

reject    decline a ringing call; <caller> is a jid or phone number, as call:incoming named it
          (the caller sees the call end; a call:ended event with reason "rejected" follows)

Incoming calls arrive as call:incoming events (wad events --follow --types call:incoming,call:ended).
To decline every call with a message, set accounts.rejectCalls in the config.

options:
${COMMON_HELP}`;

export async function runCall(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE + '\n');
    return sub === undefined ? 2 : 0;
  }
  return run(
    `call ${sub}`,
    async () => {
      const { values, positionals } = parse(rest, {});
      if (values.help) {
        process.stdout.write(USAGE + '\n');
        return 0;
      }
      if (sub !== 'reject') throw new UsageError(`unknown subcommand '${sub}' (see wad call --help)`);
      const [account, callId, callerArg] = positionals;
      if (account === undefined || callId === undefined || callerArg === undefined) throw new UsageError('usage: wad call reject <id> <call-id> <caller>');
      const caller = normalizeJid(callerArg);
      if (caller === undefined) throw new UsageError(`'${callerArg}' is not a jid or a phone number`);
      const link = await connect(values);
      try {
        await callVerbs(link).rejectCall(account, callId, caller);
        if (values.json) jsonLine({ callId, from: caller, rejected: true });
        else process.stdout.write(`rejected call ${callId} from ${caller}\n`);
        return 0;
      } finally {
        await link.close();
      }
    },
    { account: rest.find((a) => !a.startsWith('-')) ?? '' },
  );
}
