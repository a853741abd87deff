/**
 * A spinner on stderr for waits (linking, sending), drawn only when stderr
 * is a terminal and the output is not --json, so scripts and logs never see
 * control characters. Owns the terminal line it draws on.
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class Spinner {
  #text: string;
  #timer: NodeJS.Timeout | undefined;
  #i = 0;
  readonly #enabled: boolean;

  constructor(text: string, enabled = process.stderr.isTTY === true) {
    this.#text = text;
    this.#enabled = enabled;
    if (this.#enabled) {
      this.#timer = setInterval(() => this.#draw(), 80);
      this.#timer.unref();
      this.#draw();
    }
  }

  update(text: string): void {
    this.#text = text;
    if (this.#enabled) this.#draw();
  }

  /** Clears the line; prints `final` in its place if given. */
  stop(final?: string): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#enabled) process.stderr.write('\r\x1b[2K');
    if (final !== undefined) process.stderr.write(final + '\n');
  }

  /** Lets other output through: clears the spinner line, the next tick redraws it. */
  clear(): void {
    if (this.#enabled) process.stderr.write('\r\x1b[2K');
  }

  #draw(): void {
    // A line wider than the terminal wraps, and the next redraw would only clear its last part.
    const room = (process.stderr.columns ?? 80) - 3;
    const text = this.#text.length > room ? this.#text.slice(0, Math.max(0, room - 1)) + '…' : this.#text;
    process.stderr.write(`\r\x1b[2K${FRAMES[this.#i++ % FRAMES.length]} ${text}`);
  }
}
