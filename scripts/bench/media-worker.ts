// Worker side of scripts/bench/media.ts's event-loop table: the same
// encryptToSpool as inline, from a file to a spool file, on its own thread.
// Stays up between jobs, as a pool worker would.
import { parentPort } from 'node:worker_threads';
import { encryptToSpool } from '../../src/account/media/index.js';

parentPort!.on('message', async ({ path, dir }: { path: string; dir: string }) => {
  const enc = await encryptToSpool({ path }, 'video', { dir, memoryLimit: 0 });
  await enc.spool.dispose();
  parentPort!.postMessage({ fileLength: enc.fileLength });
});
