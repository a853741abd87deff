/**
 * The media verifier's thread: runs one MediaDecryptor per job over the
 * chunks it is sent (HMAC, both SHA-256 and the AES pass that the plaintext
 * hash needs), so that this work overlaps the download on the main thread.
 * The plaintext it makes is dropped: only the verdict goes back.
 */
import { parentPort } from 'node:worker_threads';
import { MediaCryptoError, MediaDecryptor } from '../../protocol/media/index.js';
import type { FromVerifier, ToVerifier } from './messages.js';

const port = parentPort!;
const jobs = new Map<number, { dec: MediaDecryptor; absorbed: number }>();

function fail(job: number, err: unknown): void {
  jobs.delete(job);
  const failed: Extract<FromVerifier, { failed: unknown }>['failed'] =
    err instanceof MediaCryptoError ? { code: err.code, message: err.message, field: err.field } : { code: 'INTERNAL', message: String((err as Error)?.message ?? err) };
  port.postMessage({ job, failed } satisfies FromVerifier);
}

port.on('message', (m: ToVerifier) => {
  try {
    if (m.op === 'open') {
      jobs.set(m.job, { dec: new MediaDecryptor(m.keys, m.expected), absorbed: 0 });
      return;
    }
    if (m.op === 'drop') {
      jobs.delete(m.job);
      return;
    }
    const j = jobs.get(m.job);
    // Failed before (its verdict is on its way), or dropped: nothing more to say.
    if (!j) return;
    if (m.op === 'chunk') {
      j.dec.absorb(m.bytes);
      j.absorbed += m.bytes.length;
      port.postMessage({ job: m.job, absorbed: j.absorbed } satisfies FromVerifier);
      return;
    }
    const r = j.dec.final();
    jobs.delete(m.job);
    port.postMessage({ job: m.job, done: { fileSha256: r.fileSha256, fileEncSha256: r.fileEncSha256, fileLength: r.fileLength, encLength: r.encLength } } satisfies FromVerifier);
  } catch (err) {
    fail(m.job, err);
  }
});
