/**
 * The simulator in a child process with room for `users` users and as many
 * connections (`wad sim` keeps the defaults: 10,000 users, 4,096 connections).
 * Prints the same ready line as `wad sim`; stops on SIGTERM.
 *
 *   node --import tsx scripts/bench/sim-scale.ts <users>
 */
import { startSim } from '../../src/sim/index.js';

const users = Number(process.argv[2] ?? 10_000);
const sim = await startSim({ limits: { maxUsers: users + 64, maxConnections: users + 1024 } });
const { wsUrl, adminUrl, mediaUrl, mediaCaPath, rootPublicKey } = sim;
process.stdout.write(JSON.stringify({ event: 'ready', wsUrl, adminUrl, mediaUrl, mediaCaPath, rootPublicKey }) + '\n');
process.once('SIGTERM', () => void sim.close().then(() => process.exit(0)));
