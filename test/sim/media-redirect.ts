/**
 * Baileys fetches server-made blobs (app state snapshots, history sync) from
 * https://mmg.whatsapp.net<direct_path>, a fixed host, whatever media_conn
 * said. This fetch dispatcher, given to Baileys as `options.dispatcher`,
 * sends every such request to the simulator's media host instead, trusting
 * its self-signed certificate. Test support only.
 *
 * Node ships undici without exporting it; its Agent class is taken from the
 * global dispatcher fetch installs on first use (Baileys' first download is
 * always a fetch, so it exists by then).
 */
import { readFileSync } from 'node:fs';
import { connect, type TLSSocket } from 'node:tls';

interface Dispatcher {
  dispatch(options: object, handler: object): boolean;
}

type Connector = (options: object, callback: (err: Error | null, socket: TLSSocket | null) => void) => void;
type AgentClass = new (options: { connect: Connector }) => Dispatcher;

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

export function mediaDispatcher(sim: { mediaUrl: string; mediaCaPath: string }): Dispatcher {
  const { hostname, port } = new URL(sim.mediaUrl);
  let agent: Dispatcher | undefined;
  const connector: Connector = (_options, callback) => {
    const socket = connect({ host: hostname, port: Number(port), ca: readFileSync(sim.mediaCaPath), servername: 'localhost', ALPNProtocols: ['http/1.1'] });
    socket.once('secureConnect', () => callback(null, socket));
    socket.once('error', (err) => callback(err, null));
  };
  return {
    dispatch(options, handler) {
      if (!agent) {
        const global = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER] as Dispatcher | undefined;
        if (!global) throw new Error('fetch has not installed its global dispatcher yet');
        agent = new (global.constructor as AgentClass)({ connect: connector });
      }
      return agent.dispatch(options, handler);
    },
  };
}
