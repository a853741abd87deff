/**
 * Drives a hostile crowd (flood-client.ts) in a child process, so that the
 * crowd's descriptors are its own: wait for it to have tried every
 * connection, ask for its counts, send it home.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const CLIENT = new URL('./flood-client.ts', import.meta.url).pathname;

export interface CrowdReport {
  opened: number;
  failed: number;
  /** Connections the daemon closed. */
  closedByPeer: number;
  /** Since the crowd started. */
  ms: number;
}

export type CrowdSpec =
  | { mode: 'tcp'; port: number; count: number; firstLocalPort?: number; lastLocalPort?: number }
  | { mode: 'unix-ws' | 'unix-raw'; socket: string; count: number };

export class Crowd {
  readonly #child: ChildProcess;
  readonly #reports: CrowdReport[] = [];
  readonly #waiters: Array<(r: CrowdReport) => void> = [];

  constructor(spec: CrowdSpec) {
    this.#child = spawn(process.execPath, ['--import', 'tsx', CLIENT, JSON.stringify(spec)], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      const r = JSON.parse(line) as CrowdReport;
      const w = this.#waiters.shift();
      if (w) w(r);
      else this.#reports.push(r);
    });
  }

  /** The next report: the first comes once every connection was tried. */
  next(): Promise<CrowdReport> {
    const r = this.#reports.shift();
    return r ? Promise.resolve(r) : new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Its counts now. */
  ask(): Promise<CrowdReport> {
    this.#child.stdin!.write('report\n');
    return this.next();
  }

  /** Closes every connection and exits. */
  stop(): Promise<void> {
    if (this.#child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.#child.once('exit', () => resolve());
      this.#child.stdin!.end();
    });
  }
}
