/**
 * Shows the login QR in the terminal (qrcode's half-block renderer) and
 * redraws it in place when WhatsApp refreshes the code; prints the QR's text
 * as well when stdout is not a terminal (a script or a log may want it).
 * Owns the lines it prints.
 */
import QRCode from 'qrcode';

export class QrDisplay {
  #lines = 0;
  readonly #tty = process.stdout.isTTY === true;

  async show(qr: string, n: number): Promise<void> {
    const art = await QRCode.toString(qr, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
    if (this.#tty && this.#lines > 0) process.stdout.write(`\x1b[${this.#lines}A\x1b[0J`);
    const text = [`Scan with WhatsApp on the phone (Settings → Linked devices → Link a device) — QR #${n}:`, art.trimEnd(), ...(this.#tty ? [] : [qr])].join('\n');
    process.stdout.write(text + '\n');
    this.#lines = text.split('\n').length;
  }
}
