/**
 * Shows the login QR while `wad account add` waits, redrawing it in place
 * when WhatsApp refreshes the code. On a terminal it is drawn only when it
 * fits whole (a QR whose top scrolled off cannot be scanned): else the
 * screen says how many rows it needs and where its PNG is, and it is drawn
 * as soon as the window is large enough. Into a pipe or a log it prints the
 * QR's text, never colour codes. `--qr-file` writes each QR as a PNG too.
 * Owns the lines it prints.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';

/** Where the QR goes: the terminal it is drawn on (or not), and an optional PNG. */
export interface QrTarget {
  readonly out: NodeJS.WriteStream;
  /** A PNG rewritten at each refresh (0600: the QR links a device to the account while it is valid). */
  readonly file?: string | undefined;
  /** False: only keep the file current (the screen shows a pairing code instead). Default true. */
  readonly draw?: boolean;
}

/** The QR drawn with half blocks: two modules per row, one quiet module around it. */
export async function qrArt(qr: string): Promise<string> {
  const lines = (await QRCode.toString(qr, { type: 'terminal', small: true, errorCorrectionLevel: 'L' })).trimEnd().split('\n');
  // The renderer ends with a line of colour codes only: it would cost a row of the screen for nothing.
  while (lines.length > 0 && lines.at(-1)!.replace(/\x1b\[[0-9;]*m/g, '').trim() === '') lines.pop();
  return lines.join('\n') + '\x1b[0m';
}

export class QrDisplay {
  #lines = 0;
  #last: { qr: string; n: number } | undefined;
  #file: string | undefined;
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #draw: boolean;
  readonly #onResize = (): void => void this.#redraw();

  constructor(target: QrTarget = { out: process.stdout }) {
    this.#out = target.out;
    this.#tty = target.out.isTTY === true;
    this.#file = target.file;
    this.#draw = target.draw ?? true;
    if (this.#tty && this.#draw) this.#out.on('resize', this.#onResize);
  }

  async show(qr: string, n: number): Promise<void> {
    this.#last = { qr, n };
    if (this.#file !== undefined) await writePng(this.#file, qr);
    await this.#redraw();
  }

  /** Stops following the terminal's size. */
  close(): void {
    this.#out.off('resize', this.#onResize);
  }

  async #redraw(): Promise<void> {
    const last = this.#last;
    if (!last || !this.#draw) return;
    // Shorter than 80 columns: a wrapped line would throw off the count of lines to redraw.
    const header = `Scan with WhatsApp: Settings → Linked devices → Link a device (QR #${last.n})`;
    if (!this.#tty) {
      this.#out.write(`${header}\n${last.qr}\n${this.#file !== undefined ? `(also written to ${this.#file})\n` : ''}`);
      return;
    }
    const art = await qrArt(last.qr);
    const artRows = art.split('\n').length;
    const rows = this.#out.rows ?? Infinity;
    const cols = this.#out.columns ?? Infinity;
    const width = art.split('\n')[0]!.replace(/\x1b\[[0-9;]*m/g, '').length;
    let text: string;
    // One row for the header, one for the spinner or the next prompt below it.
    if (artRows + 2 <= rows && width <= cols) text = `${header}\n${art}`;
    else {
      this.#file ??= tempPngPath();
      await writePng(this.#file, last.qr);
      text = [
        `The login QR (#${last.n}) needs ${artRows + 2} rows × ${width} columns; this terminal has ${rows} × ${cols}.`,
        `Enlarge the window (the QR appears), open ${this.#file},`,
        'or link by phone number instead: wad account add <id> --phone <number>',
      ].join('\n');
    }
    // Back to where the last drawing began, clearing it: the new one takes its place.
    if (this.#lines > 0) this.#out.write(`\x1b[${this.#lines}A\r\x1b[0J`);
    this.#out.write(text + '\n');
    this.#lines = text.split('\n').length;
  }
}

function tempPngPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'wad-qr-')), 'login-qr.png');
}

async function writePng(path: string, qr: string): Promise<void> {
  const png = await QRCode.toBuffer(qr, { type: 'png', errorCorrectionLevel: 'L', scale: 8, margin: 4 });
  writeFileSync(path, png, { mode: 0o600 });
  chmodSync(path, 0o600);
}
