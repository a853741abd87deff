/**
 * What the socket tests share: a fake daemon with two linked accounts (alice,
 * bob) behind a real control server on a socket in a fresh temp dir. Each
 * test file keeps its own clients and tears the server and dir down.
 */
import type { TypedWadEvent } from '../../src/contract/events.js';
import { startIpcServer, type IpcServer } from '../../src/ipc/index.js';
import { FakeDaemon } from './fake-daemon.js';
import { Raw, tempSocket } from './raw.js';

export async function fakeWorld(): Promise<{ fake: FakeDaemon; server: IpcServer; dir: string; socket: string }> {
  const { dir, socket } = tempSocket();
  const fake = new FakeDaemon();
  fake.seed('alice', '15550001111:2@s.whatsapp.net');
  fake.seed('bob', '15550002222:2@s.whatsapp.net');
  const server = await startIpcServer(fake, { socketPath: socket });
  return { fake, server, dir, socket };
}

/** Raw clients on the socket of the moment; `closeAll()` in afterEach closes every one opened. */
export function rawClients(socket: () => string): { open(): Promise<Raw>; closeAll(): Promise<void> } {
  const clients: Raw[] = [];
  return {
    open: async () => {
      const c = await Raw.open(socket());
      clients.push(c);
      return c;
    },
    closeAll: async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
    },
  };
}

/** The next `n` events of a stream (or of an iterator a test keeps across calls). */
export async function take(from: AsyncIterable<TypedWadEvent> | AsyncIterator<TypedWadEvent>, n: number): Promise<TypedWadEvent[]> {
  const it = Symbol.asyncIterator in from ? from[Symbol.asyncIterator]() : from;
  const out: TypedWadEvent[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) throw new Error('stream ended');
    out.push(r.value);
  }
  return out;
}
