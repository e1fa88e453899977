import { describeError } from '../api/errors';

/** A failure shown to the user: what we were doing, and the error's code, message and hint. */
export interface UiError {
  id: number;
  context: string;
  code: string | null;
  message: string;
  hint: string | null;
  /** How many times in a row this same failure happened. */
  count: number;
}

const MAX_SHOWN = 20;

/** Every failure the UI shows. Each is also written to the console, which forwards it to the app log. */
export class ErrorLog {
  items = $state<UiError[]>([]);
  #nextId = 1;

  report(context: string, error: unknown): void {
    const { code, message, hint } = describeError(error);
    console.error(`${context}: ${code ? `[${code}] ` : ''}${message}`);
    const latest = this.items[0];
    if (latest && latest.context === context && latest.message === message && latest.code === code) {
      latest.count += 1;
      return;
    }
    this.items = [{ id: this.#nextId++, context, code, message, hint, count: 1 }, ...this.items].slice(0, MAX_SHOWN);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((item) => item.id !== id);
  }
}
