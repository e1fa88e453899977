import type { Backend, BackendEvent } from '../api/backend';
import { describeError } from '../api/errors';
import type { JournalEvent } from '../api/generated';

/**
 * One call's journal events as they are written, for live views of the current call (the
 * ladder). It loads what the journal already has, then adds each `journal` event of the call;
 * after a gap in the event stream it loads again.
 */
export class CallJournal {
  events = $state.raw<JournalEvent[]>([]);
  readonly #backend: Pick<Backend, 'call'>;
  #callId: string | null = null;

  constructor(backend: Pick<Backend, 'call'>) {
    this.#backend = backend;
  }

  get callId(): string | null {
    return this.#callId;
  }

  /** Follow another call (or none). */
  follow(callId: string | null): void {
    if (callId === this.#callId) return;
    this.#callId = callId;
    this.events = [];
    if (callId !== null) void this.#load(callId);
  }

  handle(event: BackendEvent): void {
    const callId = this.#callId;
    if (callId === null) return;
    if (event.type === 'journal') {
      if (event.event.call_id === callId) this.#merge([event.event]);
    } else if (event.type === 'lagged' || (event.type === 'stream' && event.connected && event.resumed)) {
      void this.#load(callId);
    }
  }

  async #load(callId: string): Promise<void> {
    try {
      const detail = await this.#backend.call('get_call', { call_id: callId });
      if (this.#callId === callId) this.#merge(detail.events);
    } catch (error) {
      console.error(`Loading the events of call ${callId} failed: ${describeError(error).message}`);
    }
  }

  #merge(events: readonly JournalEvent[]): void {
    const bySeq = new Map(this.events.map((e) => [e.seq, e]));
    for (const e of events) bySeq.set(e.seq, e);
    this.events = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }
}
