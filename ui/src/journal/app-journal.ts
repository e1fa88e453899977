import type { Backend } from '../api/backend';
import { describeError } from '../api/errors';
import type { EventKind, Source } from '../api/generated';

/**
 * App-level journal events (no call: registrations, REGISTER traffic, rejected incoming calls),
 * written one after another in the order they happened.
 */
export class AppJournal {
  readonly #backend: Pick<Backend, 'call'>;
  #queue: Promise<void> = Promise.resolve();

  constructor(backend: Pick<Backend, 'call'>) {
    this.#backend = backend;
  }

  /** Queue an app-level event that happened at `happened` (`performance.now()`; now by default). */
  record(source: Source, kind: Exclude<EventKind, 'state'>, payload: unknown, happened = performance.now()): Promise<void> {
    const next = this.#queue
      .then(() => {
        const observed_ms_ago = Math.max(0, Math.round(performance.now() - happened));
        return this.#backend.call('record_event', { call_id: null, source, kind, payload, observed_ms_ago });
      })
      .then(
        () => undefined,
        (error: unknown) => console.error(`Recording an app-level ${kind} event failed: ${describeError(error).message}`),
      );
    this.#queue = next;
    return next;
  }

  /** Resolves once everything recorded so far has been written (or failed to be). */
  flushed(): Promise<void> {
    return this.#queue;
  }
}
