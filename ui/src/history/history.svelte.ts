import type { Backend, BackendEvent } from '../api/backend';
import type { CallSummary } from '../api/generated';
import type { ErrorLog } from '../lib/error-log.svelte';
import { upsertCall } from './upsert';

/** The journal's recent calls, kept current by `call` events. */
export class History {
  calls = $state.raw<CallSummary[]>([]);
  loading = $state(false);
  loaded = $state(false);
  /** The last load failed (the error is in the error list). */
  failed = $state(false);
  readonly #backend: Pick<Backend, 'call'>;
  readonly #errors: ErrorLog;
  readonly #limit: number;
  /** Summaries that arrived while a reload was in flight: newer than what it returns. */
  #arrivedDuringReload: CallSummary[] | null = null;

  constructor(backend: Pick<Backend, 'call'>, errors: ErrorLog, limit = 50) {
    this.#backend = backend;
    this.#errors = errors;
    this.#limit = limit;
  }

  async reload(): Promise<void> {
    this.loading = true;
    this.#arrivedDuringReload = [];
    try {
      let calls = await this.#backend.call('list_calls', { limit: this.#limit });
      for (const call of this.#arrivedDuringReload) calls = upsertCall(calls, call, this.#limit);
      this.calls = calls;
      this.loaded = true;
      this.failed = false;
    } catch (error) {
      this.failed = true;
      this.#errors.report('Loading the call history', error);
    } finally {
      this.#arrivedDuringReload = null;
      this.loading = false;
    }
  }

  handle(event: BackendEvent): void {
    if (event.type === 'call') {
      this.#arrivedDuringReload?.push(event.call);
      this.calls = upsertCall(this.calls, event.call, this.#limit);
    } else if (event.type === 'lagged' || (event.type === 'stream' && event.connected && event.resumed)) {
      // Events were missed; the journal has them all.
      void this.reload();
    }
  }
}
