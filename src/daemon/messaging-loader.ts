/**
 * Finds the messaging module (src/account/messaging/index.ts, another
 * module's) when this build has it. Its absence is not an error: accounts
 * then run without handlers and stanzas are acked by the rules.
 */
import type { Logger } from 'pino';
import type { CreateMessaging } from '../account/messaging-deps.js';

const MODULE = new URL('../account/messaging/index.js', import.meta.url).href;

export async function loadMessaging(logger: Logger): Promise<CreateMessaging | undefined> {
  let mod: { createMessaging?: unknown };
  try {
    mod = (await import(MODULE)) as { createMessaging?: unknown };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message?.includes('messaging/index')) {
      logger.info({}, 'no messaging module in this build: accounts connect and ack, nothing more');
      return undefined;
    }
    throw err;
  }
  if (typeof mod.createMessaging !== 'function') {
    logger.warn({}, 'src/account/messaging exports no createMessaging; running without messaging');
    return undefined;
  }
  return mod.createMessaging as CreateMessaging;
}
